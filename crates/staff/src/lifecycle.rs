//! The staff lifecycle as one table. A member is created `active`; every later status comes
//! from an action here (the API's `/deactivate`, `/on-leave`, `/suspend`, `/terminate`,
//! `/resign`, `/reactivate`). `terminated` and `resigned` are final: someone who comes back is
//! a new member record.

use axis_kernel::Transitions;

use crate::StaffStatus;
use crate::StaffStatus::*;

axis_kernel::string_enum! {
    /// What moves a staff member from one status to another.
    pub enum StaffAction {
        Deactivate => "deactivate",
        OnLeave => "on_leave",
        Suspend => "suspend",
        Terminate => "terminate",
        Resign => "resign",
        Reactivate => "reactivate",
    }
}

use StaffAction::*;

/// Every legal move; anything else is a 409 `illegal_transition`.
pub const LIFECYCLE: Transitions<StaffStatus, StaffAction> = Transitions::new(&[
    (Active, Deactivate, Inactive),
    (StaffStatus::OnLeave, Deactivate, Inactive),
    (Suspended, Deactivate, Inactive),
    (Active, StaffAction::OnLeave, StaffStatus::OnLeave),
    (Active, Suspend, Suspended),
    (StaffStatus::OnLeave, Suspend, Suspended),
    (Active, Terminate, Terminated),
    (StaffStatus::OnLeave, Terminate, Terminated),
    (Suspended, Terminate, Terminated),
    (Inactive, Terminate, Terminated),
    (Active, Resign, Resigned),
    (StaffStatus::OnLeave, Resign, Resigned),
    (Suspended, Resign, Resigned),
    (Inactive, Resign, Resigned),
    (StaffStatus::OnLeave, Reactivate, Active),
    (Suspended, Reactivate, Active),
    (Inactive, Reactivate, Active),
]);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status × every action, written out: `None` is an illegal move.
    #[test]
    fn every_cell_of_the_table() {
        const L: StaffStatus = StaffStatus::OnLeave;
        let cells: [(StaffStatus, [Option<StaffStatus>; 6]); 6] = [
            //          deactivate      on_leave  suspend          terminate         resign          reactivate
            (Active, [Some(Inactive), Some(L), Some(Suspended), Some(Terminated), Some(Resigned), None]),
            (L, [Some(Inactive), None, Some(Suspended), Some(Terminated), Some(Resigned), Some(Active)]),
            (Inactive, [None, None, None, Some(Terminated), Some(Resigned), Some(Active)]),
            (Suspended, [Some(Inactive), None, None, Some(Terminated), Some(Resigned), Some(Active)]),
            (Terminated, [None, None, None, None, None, None]),
            (Resigned, [None, None, None, None, None, None]),
        ];
        assert_eq!(cells.len(), StaffStatus::ALL.len(), "every status has a row");
        for (from, row) in cells {
            for (action, expected) in StaffAction::ALL.iter().zip(row) {
                match (LIFECYCLE.next(from, *action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} × {action}"),
                    (Err(axis_kernel::DomainError::IllegalTransition { .. }), None) => {}
                    (got, want) => panic!("{from} × {action}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn only_the_statuses_that_allow_service_are_active_and_on_leave() {
        let serving: Vec<_> = StaffStatus::ALL.iter().filter(|s| s.allows_service()).collect();
        assert_eq!(serving, [&Active, &StaffStatus::OnLeave]);
        let ending: Vec<_> = StaffStatus::ALL.iter().filter(|s| s.ends_employment()).collect();
        assert_eq!(ending, [&Terminated, &Resigned]);
    }
}
