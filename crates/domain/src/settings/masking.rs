//! How the server hides secrets when it answers, and how it recognises a hidden one when it is
//! sent back (settings.md, cross-cutting rules 2 and 3).
//!
//! The console needs both halves: to know which fields of an answer are secrets it cannot see,
//! and to know which values the server will take for "keep the stored one" rather than a value.

/// Words that make a field secret wherever they occur in its lower-cased name (rule 2b).
const SECRET_WORDS: &[&str] = &[
    "secret",
    "password",
    "api_key",
    "api_keys",
    "credentials",
    "access_key",
    "credentials_json",
    "subscription_key",
    "service_account_key",
];

/// Endings that make a field secret (rule 2c).
const SECRET_ENDINGS: &[&str] = &["_key", "_keys", "_secret", "_password", "_token"];

/// Names that are secret as a whole (rule 2a and the exact names of rule 2; the appendix's
/// sensitive settings end in one of the endings above or are listed here).
const SECRET_NAMES: &[&str] = &[
    "key",
    "keys",
    "api_auth",
    "client_secret",
    "access_key_id",
    "sougou_api_sk",
    "automatic1111_api_auth",
    "bot_token",
];

/// Whether the server masks the value of a field with this name when it answers.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAMES.contains(&lower.as_str())
        || SECRET_WORDS.iter().any(|w| lower.contains(w))
        || SECRET_ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// The masked form the server answers for a secret: its last four characters behind at least
/// three `*`; a value of three characters or fewer becomes `***`; an empty value stays empty.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match chars.len() {
        0 => String::new(),
        1..=3 => "***".to_owned(),
        n => {
            let tail: String = chars[n - 4..].iter().collect();
            format!("{}{tail}", "*".repeat((n - 4).max(3)))
        }
    }
}

/// Whether the server takes `value` for a masked secret on write (rule 3): at least four
/// characters, starting with at least three `*`. `***` itself is not: it is stored as sent.
pub fn is_masked(value: &str) -> bool {
    value.chars().count() >= 4 && value.starts_with("***")
}

/// Whether `value` is what the server answers in place of a secret it will not show: a masked
/// value, or the `***` that stands for a secret of three characters or fewer.
pub fn hides_a_secret(value: &str) -> bool {
    value == "***" || is_masked(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_server_masks() {
        for name in [
            "OPENAI_API_KEYS",
            "key",
            "app_dn_password",
            "CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
            "access_key_id",
            "SOUGOU_API_SK",
            "service_account_key",
            "BING_SEARCH_V7_SUBSCRIPTION_KEY",
            "credentials_json",
            "storage_key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "url",
            "keyword",
            "path",
            "SOUGOU_API_SID",
            "provider",
            "auth_type",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn masks_keep_four_characters_behind_at_least_three_stars() {
        assert_eq!(mask("sk-abcdefgh"), "*******efgh");
        assert_eq!(mask("abcd"), "***abcd");
        assert_eq!(mask("abcde"), "***bcde");
        assert_eq!(mask("abc"), "***");
        assert_eq!(mask(""), "");
        assert_eq!(mask("비밀번호입니다"), "***호입니다");
    }

    #[test]
    fn a_short_secret_masked_is_not_taken_for_masked_on_write() {
        assert!(is_masked(&mask("abcd")));
        assert!(is_masked(&mask("a-long-secret")));
        assert!(!is_masked(&mask("abc")));
        assert!(hides_a_secret(&mask("abc")));
        assert!(!is_masked("**a"));
        assert!(!is_masked("ab***cd"));
    }
}
