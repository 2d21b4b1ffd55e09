//! The server's algorithms, written from the contract (`shared/cloosphere-api/`) and nothing
//! else: feature permissions and delegated gates, OU membership, usage limits, credential
//! checks, and the JSON text the server's database holds.
//!
//! The sandbox deliberately shares no rule with the console's domain crate. Both are readings
//! of the same contract, so a test that compares them over HTTP can catch a misreading on
//! either side; if the sandbox called the console's rules, they would agree by construction.
//! Everything here works on plain JSON values, as the server's Python does.

pub mod credentials;
pub mod limits;
pub mod masking;
pub mod membership;
pub mod permissions;
pub mod pyjson;
