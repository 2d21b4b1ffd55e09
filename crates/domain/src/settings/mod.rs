//! System Settings: the fourteen tabs and their endpoints, how the server masks secrets, and how
//! an edit becomes a body that never destroys one (settings.md).

pub mod catalogue;
pub mod document;
pub mod drift;
pub mod field_rules;
pub mod masking;
pub mod model_rows;
pub mod probes;
pub mod selection;
pub mod wipe;
pub mod write_back;

pub use catalogue::{BodyShape, Caller, MaskedWrite, SECTIONS, Section, Tab};
pub use masking::{hides_a_secret, is_masked, is_secret_name, mask};
pub use write_back::{
    Edit, NewSecret, WriteBody, WriteRefusal, editable_view, get_path, read_back_differences,
    set_path, write_body,
};
