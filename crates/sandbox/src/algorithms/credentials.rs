//! The server's credential checks (auth.md §3): the e-mail format, the 72-byte password cap
//! (bcrypt's) and the sign-up strength rule.

/// The longest password in UTF-8 bytes.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// `something@something.tld`, or anything ending in `@localhost`: the server's
/// `[^@]+@[^@]+\.[^@]+`, matched from the start of the text (not anchored at the end).
pub fn email_format_ok(email: &str) -> bool {
    if email.ends_with("@localhost") {
        return true;
    }
    let Some((local, rest)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() {
        return false;
    }
    // The domain run ends at the next '@'; it needs a dot with something on both sides.
    let domain = rest.split('@').next().unwrap_or("");
    domain
        .char_indices()
        .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len())
}

/// At least 8 characters with an upper-case letter, a lower-case letter and a digit.
pub fn password_strong(password: &str) -> bool {
    password.chars().count() >= 8
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_formats() {
        for ok in [
            "a@b.c",
            "admin@localhost",
            "a.b@mail.example.com",
            "a@b.c@d",
        ] {
            assert!(email_format_ok(ok), "{ok}");
        }
        for bad in ["", "a", "@b.c", "a@b", "a@.b", "a@b.", "a@@b.c"] {
            assert!(!email_format_ok(bad), "{bad}");
        }
    }

    #[test]
    fn strength() {
        assert!(password_strong("Abcdefg1"));
        assert!(!password_strong("abcdefg1"));
        assert!(!password_strong("Abcdef1"));
    }
}
