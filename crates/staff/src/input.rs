//! A staff member as sent (create, PUT, PATCH after merging), checked into a draft: every
//! problem is reported at once, by field name.

use axis_kernel::input::{identifier, text};
use axis_kernel::{ClientId, FieldErrors, Profile, ProfileFields};
use time::Date;

use crate::{StaffMember, StaffRole};

/// The editable fields as sent. Status and end date change only through actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffFields {
    pub client_id: Option<ClientId>,
    pub profile: ProfileFields,
    pub employee_number: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub role: Option<StaffRole>,
    pub employment_start: Option<Date>,
}

impl StaffFields {
    /// The member's current fields, for a PATCH to merge into.
    pub fn from_member(member: &StaffMember) -> Self {
        Self {
            client_id: Some(member.client_id),
            profile: member.profile.clone().into(),
            employee_number: member.employee_number.clone(),
            job_title: member.job_title.clone(),
            department: member.department.clone(),
            role: Some(member.role),
            employment_start: Some(member.employment_start),
        }
    }
}

/// Checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffDraft {
    pub client_id: ClientId,
    pub profile: Profile,
    pub employee_number: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub role: StaffRole,
    pub employment_start: Date,
}

impl StaffDraft {
    /// `today` bounds the date of birth. `employment_end`, when the member has one, must not
    /// come before the start.
    pub fn parse(
        fields: StaffFields,
        employment_end: Option<Date>,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let profile = Profile::parse(&mut errors, fields.profile, today);
        let employee_number = identifier(&mut errors, "employee_number", fields.employee_number, 100);
        let job_title = text(&mut errors, "job_title", fields.job_title, 255);
        let department = text(&mut errors, "department", fields.department, 255);
        if fields.client_id.is_none() {
            errors.add("client_id", "is required");
        }
        if fields.employment_start.is_none() {
            errors.add("employment_start", "is required");
        }
        if let (Some(start), Some(end)) = (fields.employment_start, employment_end)
            && end < start
        {
            errors.add("employment_start", "must not be after the employment end date");
        }
        match (fields.client_id, fields.employment_start, errors.is_empty()) {
            (Some(client_id), Some(employment_start), true) => Ok(StaffDraft {
                client_id,
                profile,
                employee_number,
                job_title,
                department,
                role: fields.role.unwrap_or(StaffRole::Staff),
                employment_start,
            }),
            _ => Err(errors),
        }
    }
}

/// A reason an action needs (suspension, termination…).
pub fn parse_reason(field: &str, raw: Option<String>, required: bool) -> Result<Option<String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason = text(&mut errors, field, raw, 1000);
    if required && reason.is_none() && errors.is_empty() {
        errors.add(field, "is required");
    }
    errors.into_result().map(|()| reason)
}

#[cfg(test)]
impl StaffFields {
    /// A valid member of `client` for this crate's tests.
    pub(crate) fn sample(client: ClientId) -> Self {
        Self {
            client_id: Some(client),
            profile: ProfileFields { full_name: "Amina Nakato".into(), ..ProfileFields::default() },
            employment_start: Some(time::macros::date!(2024 - 01 - 15)),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 30);

    fn problems(fields: StaffFields, end: Option<Date>) -> Vec<String> {
        match StaffDraft::parse(fields, end, TODAY) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.fields().keys().cloned().collect(),
        }
    }

    #[test]
    fn every_rule_names_its_field() {
        let valid = || StaffFields::sample(ClientId::new());
        assert_eq!(problems(valid(), None), Vec::<String>::new());
        let cases = [
            (StaffFields { client_id: None, ..valid() }, None, "client_id"),
            (StaffFields { employment_start: None, ..valid() }, None, "employment_start"),
            (valid(), Some(date!(2024 - 01 - 14)), "employment_start"),
            (StaffFields { employee_number: Some("n".repeat(101)), ..valid() }, None, "employee_number"),
            (StaffFields { job_title: Some("t".repeat(256)), ..valid() }, None, "job_title"),
            (
                StaffFields {
                    profile: ProfileFields { full_name: String::new(), ..ProfileFields::default() },
                    ..valid()
                },
                None,
                "full_name",
            ),
        ];
        for (fields, end, field) in cases {
            assert_eq!(problems(fields, end), vec![field.to_owned()], "{field}");
        }
    }

    #[test]
    fn the_end_may_fall_on_the_start_day_and_the_role_defaults_to_staff() {
        let draft =
            StaffDraft::parse(StaffFields::sample(ClientId::new()), Some(date!(2024 - 01 - 15)), TODAY)
                .expect("valid");
        assert_eq!(draft.role, StaffRole::Staff);
    }

    #[test]
    fn a_required_reason_must_be_given() {
        assert!(parse_reason("reason", None, true).is_err());
        assert!(parse_reason("reason", Some("  ".into()), true).is_err());
        assert_eq!(parse_reason("reason", None, false), Ok(None));
        assert_eq!(parse_reason("reason", Some(" moved ".into()), true), Ok(Some("moved".into())));
    }
}
