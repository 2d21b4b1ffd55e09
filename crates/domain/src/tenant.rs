//! Rules for the deployments (tenants) the console knows.

use std::fmt;

/// The longest tenant name, in characters.
pub const MAX_TENANT_NAME: usize = 64;

/// Colours a tenant can carry, so operators see at a glance which deployment they act on.
pub const TENANT_COLOURS: &[&str] = &[
    "#2563eb", "#16a34a", "#d97706", "#db2777", "#7c3aed", "#0891b2", "#dc2626", "#4d7c0f",
];

/// Why a tenant name is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantNameError {
    /// Nothing but blanks.
    Empty,
    /// Over [`MAX_TENANT_NAME`] characters.
    TooLong,
    /// A character that would be awkward on a command line.
    BadCharacter(char),
}

impl fmt::Display for TenantNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantNameError::Empty => f.write_str("a tenant name cannot be empty"),
            TenantNameError::TooLong => {
                write!(f, "a tenant name has at most {MAX_TENANT_NAME} characters")
            }
            TenantNameError::BadCharacter(c) => write!(
                f,
                "a tenant name may use letters, digits, spaces and - _ . only, not {c:?}"
            ),
        }
    }
}

impl std::error::Error for TenantNameError {}

/// Checks a tenant name and returns it trimmed. Letters of any script are allowed.
pub fn validate_tenant_name(name: &str) -> Result<&str, TenantNameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TenantNameError::Empty);
    }
    if name.chars().count() > MAX_TENANT_NAME {
        return Err(TenantNameError::TooLong);
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
    {
        return Err(TenantNameError::BadCharacter(c));
    }
    Ok(name)
}

/// The first palette colour no existing tenant uses, or a stable one derived from `name`.
pub fn pick_colour<'a>(name: &str, used: impl IntoIterator<Item = &'a str>) -> &'static str {
    let used: Vec<&str> = used.into_iter().collect();
    if let Some(free) = TENANT_COLOURS.iter().find(|c| !used.contains(c)) {
        return free;
    }
    let hash = name
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    TENANT_COLOURS[hash % TENANT_COLOURS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(validate_tenant_name("  Acme Prod "), Ok("Acme Prod"));
        assert_eq!(validate_tenant_name("고객사-1"), Ok("고객사-1"));
        assert_eq!(validate_tenant_name("  "), Err(TenantNameError::Empty));
        assert_eq!(
            validate_tenant_name("a/b"),
            Err(TenantNameError::BadCharacter('/'))
        );
        assert_eq!(
            validate_tenant_name(&"x".repeat(65)),
            Err(TenantNameError::TooLong)
        );
    }

    #[test]
    fn colours_are_spread_then_stable() {
        assert_eq!(pick_colour("a", []), TENANT_COLOURS[0]);
        assert_eq!(pick_colour("a", [TENANT_COLOURS[0]]), TENANT_COLOURS[1]);
        let all: Vec<&str> = TENANT_COLOURS.to_vec();
        assert_eq!(pick_colour("same", all.clone()), pick_colour("same", all));
    }
}
