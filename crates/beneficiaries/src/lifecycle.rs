//! The beneficiary lifecycle as one table: `active ⇄ inactive`.

use axis_kernel::Transitions;

use crate::BeneficiaryStatus::{self, *};

axis_kernel::string_enum! {
    /// What moves a beneficiary from one status to another.
    pub enum BeneficiaryAction { Deactivate => "deactivate", Reactivate => "reactivate" }
}

/// Every legal move; anything else is a 409 `illegal_transition`.
pub const LIFECYCLE: Transitions<BeneficiaryStatus, BeneficiaryAction> = Transitions::new(&[
    (Active, BeneficiaryAction::Deactivate, Inactive),
    (Inactive, BeneficiaryAction::Reactivate, Active),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_of_the_table() {
        let cells = [(Active, [Some(Inactive), None]), (Inactive, [None, Some(Active)])];
        assert_eq!(BeneficiaryStatus::ALL, cells.map(|(status, _)| status), "the rows are every status");
        for (from, row) in cells {
            for (action, expected) in BeneficiaryAction::ALL.iter().zip(row) {
                assert_eq!(LIFECYCLE.next(from, *action).ok(), expected, "{from} × {action}");
            }
        }
    }
}
