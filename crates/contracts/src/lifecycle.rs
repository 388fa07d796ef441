//! The contract lifecycle as one table. A contract is created `draft`; every later status
//! comes from an action here (the API's `/submit`, `/activate`, … and the daily sweep's
//! `expire` and `renew`).

use axis_kernel::Transitions;

use crate::ContractStatus;
use crate::ContractStatus::*;

axis_kernel::string_enum! {
    /// What moves a contract from one status to another.
    pub enum ContractAction {
        Submit => "submit",
        Activate => "activate",
        Suspend => "suspend",
        Resume => "resume",
        Terminate => "terminate",
        Renew => "renew",
        /// The daily sweep, for a contract past its end date that does not renew itself.
        Expire => "expire",
    }
}

use ContractAction::*;

/// Every legal move; anything else is a 409 `illegal_transition`.
pub const LIFECYCLE: Transitions<ContractStatus, ContractAction> = Transitions::new(&[
    (Draft, Submit, Pending),
    (Draft, Activate, Active),
    (Pending, Activate, Active),
    (Active, Suspend, Suspended),
    (Renewed, Suspend, Suspended),
    (Suspended, Resume, Active),
    (Active, Terminate, Terminated),
    (Suspended, Terminate, Terminated),
    (Renewed, Terminate, Terminated),
    (Active, Renew, Renewed),
    (Renewed, Renew, Renewed),
    (Expired, Renew, Renewed),
    (Active, Expire, Expired),
    (Renewed, Expire, Expired),
]);

#[cfg(test)]
mod tests {
    use axis_kernel::DomainError;

    use super::*;

    /// Every status × every action, written out: `None` is an illegal move.
    #[test]
    fn every_cell_of_the_table() {
        let cells: [(ContractStatus, [Option<ContractStatus>; 7]); 7] = [
            //            submit         activate      suspend          resume        terminate          renew          expire
            (Draft, [Some(Pending), Some(Active), None, None, None, None, None]),
            (Pending, [None, Some(Active), None, None, None, None, None]),
            (Active, [None, None, Some(Suspended), None, Some(Terminated), Some(Renewed), Some(Expired)]),
            (Suspended, [None, None, None, Some(Active), Some(Terminated), None, None]),
            (Renewed, [None, None, Some(Suspended), None, Some(Terminated), Some(Renewed), Some(Expired)]),
            (Expired, [None, None, None, None, None, Some(Renewed), None]),
            (Terminated, [None, None, None, None, None, None, None]),
        ];
        let actions = [Submit, Activate, Suspend, Resume, Terminate, Renew, Expire];
        assert_eq!(ContractAction::ALL, actions, "the columns are every action");
        let statuses: Vec<ContractStatus> = cells.iter().map(|(status, _)| *status).collect();
        assert_eq!(ContractStatus::ALL.to_vec(), statuses, "the rows are every status");
        for (from, row) in cells {
            for (action, expected) in actions.into_iter().zip(row) {
                match (LIFECYCLE.next(from, action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} --{action}-->"),
                    (Err(DomainError::IllegalTransition { from: f, action: a }), None) => {
                        assert_eq!((f.as_str(), a.as_str()), (from.as_str(), action.as_str()));
                    }
                    (got, want) => panic!("{from} --{action}--> gave {got:?}, expected {want:?}"),
                }
            }
        }
    }

    /// `renewed` is in force exactly like `active`: every action open to one is open to the
    /// other, to the same status.
    #[test]
    fn renewed_takes_every_action_active_takes() {
        for action in LIFECYCLE.actions_from(Active) {
            assert_eq!(LIFECYCLE.next(Renewed, action).ok(), LIFECYCLE.next(Active, action).ok(), "{action}");
        }
        assert_eq!(LIFECYCLE.actions_from(Renewed).count(), LIFECYCLE.actions_from(Active).count());
    }

    #[test]
    fn terminated_is_final_and_renewed_is_in_force_like_active() {
        assert_eq!(LIFECYCLE.actions_from(Terminated).count(), 0);
        assert!(Renewed.is_in_force() && Active.is_in_force());
        assert!(!Suspended.is_in_force() && Suspended.holds_its_period());
        for status in [Draft, Pending, Expired, Terminated] {
            assert!(!status.is_in_force() && !status.holds_its_period(), "{status}");
        }
    }
}
