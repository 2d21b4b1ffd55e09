//! Where to sign in and where Graph answers: the national clouds, and the rule that only https
//! (or plain http to a loopback address, for a local Graph-compatible server) is allowed.

use crate::error::{EntraError, EntraResult};
use serde::{Deserialize, Serialize};
use url::Url;

/// A Microsoft national cloud with its default endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    /// Microsoft Entra global service.
    Global,
    /// Microsoft Graph for US Government L4.
    UsGovernment,
    /// Microsoft Graph China operated by 21Vianet.
    China,
}

impl Cloud {
    /// The sign-in host of this cloud.
    pub fn authority(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovernment => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The Graph base URL of this cloud, version included.
    pub fn graph(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com/v1.0",
            Cloud::UsGovernment => "https://graph.microsoft.us/v1.0",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn/v1.0",
        }
    }

    /// Parses `global`, `us-government` (or `usgov`), `china`.
    pub fn parse(text: &str) -> Option<Cloud> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "global" | "public" => Some(Cloud::Global),
            "us-government" | "usgov" | "us-gov" | "gcc-high" => Some(Cloud::UsGovernment),
            "china" | "cn" => Some(Cloud::China),
            _ => None,
        }
    }
}

/// The sign-in host and the Graph base of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    authority: Url,
    graph: Url,
}

impl Endpoints {
    /// Checks and keeps both URLs. `authority` is the sign-in host (`/{tenant}/oauth2/v2.0/token`
    /// is appended); `graph` includes the version (`…/v1.0`).
    pub fn new(authority: &str, graph: &str) -> EntraResult<Endpoints> {
        Ok(Endpoints {
            authority: checked_url("authority", authority)?,
            graph: checked_url("graph_url", graph)?,
        })
    }

    /// The default endpoints of a national cloud.
    pub fn of(cloud: Cloud) -> Endpoints {
        Endpoints::new(cloud.authority(), cloud.graph()).unwrap_or_else(|_| unreachable_urls())
    }

    /// The sign-in host as given.
    pub fn authority(&self) -> &str {
        self.authority.as_str().trim_end_matches('/')
    }

    /// The Graph base as given, without a trailing slash.
    pub fn graph(&self) -> &str {
        self.graph.as_str().trim_end_matches('/')
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.authority())
    }

    /// `{authority}/{tenant}/oauth2/v2.0/devicecode`.
    pub fn device_code_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/devicecode", self.authority())
    }

    /// The application scope of the Graph resource: `https://graph.microsoft.com/.default`.
    pub fn default_scope(&self) -> String {
        let origin = self.graph.origin().ascii_serialization();
        format!("{origin}/.default")
    }

    /// A Graph URL for a path such as `/users`.
    pub fn graph_url(&self, path: &str) -> String {
        format!("{}{path}", self.graph())
    }
}

fn unreachable_urls() -> Endpoints {
    // The built-in cloud URLs are constants that parse; this keeps the function total.
    let url = Url::parse("https://login.microsoftonline.com").expect("constant URL");
    Endpoints {
        authority: url.clone(),
        graph: url,
    }
}

/// https anywhere; plain http only to a loopback address.
fn checked_url(field: &str, text: &str) -> EntraResult<Url> {
    let url = Url::parse(text.trim()).map_err(|e| EntraError::Invalid {
        field: field.to_owned(),
        message: format!("{text:?} is not a URL ({e})"),
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(EntraError::Invalid {
            field: field.to_owned(),
            message: format!("{text:?}: plain http is allowed only to a loopback address"),
        }),
        other => Err(EntraError::Invalid {
            field: field.to_owned(),
            message: format!("{text:?}: scheme {other:?} is not https"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        assert!(Endpoints::new("http://127.0.0.1:9", "http://localhost:9/v1.0").is_ok());
        assert!(Endpoints::new("http://[::1]:9", "https://graph.example/v1.0").is_ok());
        let e = Endpoints::new("http://login.example", "https://graph.example/v1.0");
        assert!(matches!(e, Err(EntraError::Invalid { field, .. }) if field == "authority"));
        assert!(Endpoints::new("https://a.example", "ftp://graph.example").is_err());
    }

    #[test]
    fn urls_are_derived_from_the_profile() {
        let e = Endpoints::of(Cloud::China);
        assert_eq!(
            e.token_url("contoso"),
            "https://login.chinacloudapi.cn/contoso/oauth2/v2.0/token"
        );
        assert_eq!(
            e.default_scope(),
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
        assert_eq!(
            e.graph_url("/users"),
            "https://microsoftgraph.chinacloudapi.cn/v1.0/users"
        );
        let local = Endpoints::new("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1.0/")
            .expect("loopback");
        assert_eq!(
            local.token_url("t"),
            "http://127.0.0.1:8080/t/oauth2/v2.0/token"
        );
        assert_eq!(local.default_scope(), "http://127.0.0.1:8080/.default");
        assert_eq!(Cloud::parse("US-Government"), Some(Cloud::UsGovernment));
    }
}
