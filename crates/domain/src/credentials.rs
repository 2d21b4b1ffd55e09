//! The deployment's rules for e-mail addresses and passwords (auth.md §3.2).
//!
//! Sign-up enforces them; the admin add-user and password-reset endpoints do not (auth.md §3.5,
//! users.md §4), so the console applies them itself before sending anything.

use std::fmt;

/// The longest password the server can hash (bcrypt's limit), in UTF-8 bytes.
pub const MAX_PASSWORD_BYTES: usize = 72;
/// The shortest password sign-up accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Why a password fails the deployment's sign-up policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// More than [`MAX_PASSWORD_BYTES`] bytes: the server fails with a 500 or refuses.
    TooLong,
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort,
    /// No upper-case letter (A–Z).
    NoUppercase,
    /// No lower-case letter (a–z).
    NoLowercase,
    /// No digit (0–9).
    NoDigit,
}

impl fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PasswordProblem::TooLong => "longer than 72 bytes",
            PasswordProblem::TooShort => "shorter than 8 characters",
            PasswordProblem::NoUppercase => "no upper-case letter",
            PasswordProblem::NoLowercase => "no lower-case letter",
            PasswordProblem::NoDigit => "no digit",
        })
    }
}

/// Every way `password` breaks the sign-up policy; empty when it passes.
///
/// The character classes are ASCII (A–Z, a–z, 0–9): a password the server might accept with
/// only non-ASCII letters is refused here, which is the safe direction.
pub fn check_password_policy(password: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    if password.len() > MAX_PASSWORD_BYTES {
        problems.push(PasswordProblem::TooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problems.push(PasswordProblem::TooShort);
    }
    if !password.chars().any(|c| c.is_ascii_uppercase()) {
        problems.push(PasswordProblem::NoUppercase);
    }
    if !password.chars().any(|c| c.is_ascii_lowercase()) {
        problems.push(PasswordProblem::NoLowercase);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push(PasswordProblem::NoDigit);
    }
    problems
}

/// An e-mail address the server would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailError {
    /// The address as given.
    pub given: String,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an e-mail address (expected name@domain.tld)",
            self.given
        )
    }
}

impl std::error::Error for EmailError {}

/// Checks an e-mail address exactly as the server does.
///
/// The server accepts anything ending in `@localhost`, or anything whose *beginning* matches
/// `[^@]+@[^@]+\.[^@]+` (a Python `re.match`, anchored at the start only): so `a@b.c@d` passes.
/// The console reproduces that, so it never refuses what the server would store.
pub fn check_email_format(email: &str) -> Result<(), EmailError> {
    let err = || EmailError {
        given: email.to_owned(),
    };
    if email.ends_with("@localhost") {
        return Ok(());
    }
    let (local, rest) = email.split_once('@').ok_or_else(err)?;
    if local.is_empty() {
        return Err(err());
    }
    let domain = rest.split('@').next().unwrap_or_default();
    // A dot with at least one character on each side, inside the first domain segment.
    let has_inner_dot = domain
        .char_indices()
        .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len());
    if has_inner_dot { Ok(()) } else { Err(err()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strong_password_passes() {
        assert!(check_password_policy("Harness-Admin-1").is_empty());
        assert!(check_password_policy("Abcdefg1").is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        assert_eq!(
            check_password_policy("Weak"),
            vec![PasswordProblem::TooShort, PasswordProblem::NoDigit]
        );
        assert_eq!(
            check_password_policy("abcdefgh"),
            vec![PasswordProblem::NoUppercase, PasswordProblem::NoDigit]
        );
        assert_eq!(
            check_password_policy("ABCDEFG1"),
            vec![PasswordProblem::NoLowercase]
        );
    }

    #[test]
    fn length_limit_counts_bytes_not_characters() {
        // 24 Hangul syllables are 72 bytes: allowed; one more is 75 bytes.
        let ok = format!("Aa1{}", "가".repeat(23));
        assert_eq!(ok.len(), 72);
        assert!(!check_password_policy(&ok).contains(&PasswordProblem::TooLong));
        let long = format!("Aa1{}", "가".repeat(24));
        assert!(check_password_policy(&long).contains(&PasswordProblem::TooLong));
        // Eight characters that are more than eight bytes are long enough.
        assert!(!check_password_policy("Aa1가나다라마").contains(&PasswordProblem::TooShort));
    }

    #[test]
    fn email_format_matches_the_server() {
        for ok in [
            "mina.lee@contoso.com",
            "admin@localhost",
            "a@b.c",
            "a@b.c@d",
            "김@회사.한국",
        ] {
            assert!(check_email_format(ok).is_ok(), "{ok} should pass");
        }
        for bad in ["", "plain", "@contoso.com", "a@b", "a@.b", "a@b.", "a@@b.c"] {
            assert!(check_email_format(bad).is_err(), "{bad} should fail");
        }
    }
}
