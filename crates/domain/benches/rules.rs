//! Placeholder until the index lands; replaced in the same change.
fn main() {}
