//! Imports, each a plan/apply pair on stored plans: CSV user imports (`user_plan`, and the
//! desktop's review of one in `user_review`) and organization JSON imports (`org_plan`, and the
//! desktop's review tree in `org_review`). Both shells apply a plan by its id.

mod org_per_unit;
mod org_plan;
mod org_review;
mod user_plan;
mod user_review;

pub use org_per_unit::ApplyPath;
pub(crate) use org_plan::PlanBasis;
pub use org_plan::{
    ORG_PLAN_FORMAT, OrgApplyReport, OrgPlanDocument, PushBody, read_plan_document,
};
pub(crate) use org_review::review_of;
pub use org_review::{OrgImportReview, REVIEW_ROWS, ReviewNode};
pub use user_plan::{
    ImportOutcome, RowResult, USER_PLAN_FORMAT, UserImportPlan, read_file, write_result_csv,
};
pub use user_review::{ImportReview, ImportReviewRow};

/// A file planned from bytes, held in memory until its plan is applied or dropped. Its bytes
/// may hold passwords: never printed.
pub(crate) struct HeldFile {
    pub(crate) bytes: Vec<u8>,
}

impl std::fmt::Debug for HeldFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HeldFile(<{} bytes>)", self.bytes.len())
    }
}
