//! A beneficiary as sent, checked into a draft: every problem at once, by field name. The
//! guardian rule needs the date it is evaluated on (age in completed years that day).

use axis_kernel::input::text;
use axis_kernel::person::{email, phone};
use axis_kernel::{FieldErrors, Profile, ProfileFields};
use axis_staff::StaffId;
use time::Date;

use crate::{Beneficiary, Guardian, GuardianKind, Relation};

/// Below this age a child needs a guardian.
pub const ADULT_AGE: u32 = 18;

/// The editable fields as sent. The status changes only through actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BeneficiaryFields {
    pub staff_id: Option<StaffId>,
    pub profile: ProfileFields,
    pub relation: Option<Relation>,
    pub guardian_kind: Option<GuardianKind>,
    pub guardian_name: Option<String>,
    pub guardian_relation: Option<String>,
    pub guardian_phone: Option<String>,
    pub guardian_email: Option<String>,
    pub last_service_date: Option<Date>,
    pub notes: Option<String>,
}

impl BeneficiaryFields {
    /// The beneficiary's current fields, for a PATCH to merge into.
    pub fn from_beneficiary(b: &Beneficiary) -> Self {
        let mut fields = Self {
            staff_id: Some(b.staff_id),
            profile: b.profile.clone().into(),
            relation: Some(b.relation),
            guardian_kind: b.guardian.as_ref().map(Guardian::kind),
            last_service_date: b.last_service_date,
            notes: b.notes.clone(),
            ..Self::default()
        };
        if let Some(Guardian::Named { name, relation, phone, email }) = &b.guardian {
            fields.guardian_name = Some(name.clone());
            fields.guardian_relation = relation.clone();
            fields.guardian_phone = phone.clone();
            fields.guardian_email = email.clone();
        }
        fields
    }
}

/// Checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryDraft {
    pub staff_id: StaffId,
    pub profile: Profile,
    pub relation: Relation,
    pub guardian: Option<Guardian>,
    pub last_service_date: Option<Date>,
    pub notes: Option<String>,
}

/// Whether someone of `relation` needs a guardian on `on`: a child under 18, or a child whose
/// date of birth is not known (who cannot be shown to be of age).
pub fn needs_guardian(relation: Relation, profile: &Profile, on: Date) -> bool {
    relation == Relation::Child && profile.age_on(on).is_none_or(|age| age < ADULT_AGE)
}

impl BeneficiaryDraft {
    pub fn parse(fields: BeneficiaryFields, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let profile = Profile::parse(&mut errors, fields.profile, today);
        let notes = text(&mut errors, "notes", fields.notes, 10_000);
        if fields.staff_id.is_none() {
            errors.add("staff_id", "is required");
        }
        if fields.relation.is_none() {
            errors.add("relation", "is required");
        }
        if fields.last_service_date.is_some_and(|d| d > today) {
            errors.add("last_service_date", "must not be in the future");
        }
        let named_parts = [
            &fields.guardian_name,
            &fields.guardian_relation,
            &fields.guardian_phone,
            &fields.guardian_email,
        ];
        if named_parts.iter().any(|part| part.is_some()) && fields.guardian_kind != Some(GuardianKind::Named)
        {
            errors.add("guardian_kind", "must be `named` when a guardian's details are given");
        }
        let guardian = match fields.guardian_kind {
            None => None,
            Some(GuardianKind::StaffMember) => Some(Guardian::StaffMember),
            Some(GuardianKind::Named) => Some(Guardian::Named {
                name: axis_kernel::input::required_name(
                    &mut errors,
                    "guardian_name",
                    fields.guardian_name.unwrap_or_default(),
                    255,
                ),
                relation: text(&mut errors, "guardian_relation", fields.guardian_relation, 100),
                phone: phone(&mut errors, "guardian_phone", fields.guardian_phone),
                email: email(&mut errors, "guardian_email", fields.guardian_email),
            }),
        };
        if let Some(relation) = fields.relation
            && guardian.is_none()
            && needs_guardian(relation, &profile, today)
        {
            errors.add(
                "guardian_kind",
                "is required: a child under 18, or without a date of birth, needs a guardian (the staff member or a named person)",
            );
        }
        match (fields.staff_id, fields.relation, errors.is_empty()) {
            (Some(staff_id), Some(relation), true) => Ok(BeneficiaryDraft {
                staff_id,
                profile,
                relation,
                guardian,
                last_service_date: fields.last_service_date,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
impl BeneficiaryFields {
    /// A valid spouse of `staff` for this crate's tests.
    pub(crate) fn sample(staff: StaffId) -> Self {
        Self {
            staff_id: Some(staff),
            profile: ProfileFields { full_name: "Joseph Okello".into(), ..ProfileFields::default() },
            relation: Some(Relation::Spouse),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 06 - 15);

    fn child(born: Date) -> BeneficiaryFields {
        BeneficiaryFields {
            relation: Some(Relation::Child),
            profile: ProfileFields {
                full_name: "Child".into(),
                date_of_birth: Some(born),
                ..ProfileFields::default()
            },
            ..BeneficiaryFields::sample(StaffId::new())
        }
    }

    fn problems(fields: BeneficiaryFields, on: Date) -> Vec<String> {
        match BeneficiaryDraft::parse(fields, on) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.fields().keys().cloned().collect(),
        }
    }

    #[test]
    fn a_child_needs_a_guardian_until_the_18th_birthday() {
        let born = date!(2008 - 06 - 16);
        // 17 years and 364 days on TODAY.
        assert_eq!(problems(child(born), TODAY), vec!["guardian_kind".to_owned()]);
        assert_eq!(problems(child(born), date!(2026 - 06 - 16)), Vec::<String>::new(), "the 18th birthday");
        let with_staff = BeneficiaryFields { guardian_kind: Some(GuardianKind::StaffMember), ..child(born) };
        assert_eq!(problems(with_staff, TODAY), Vec::<String>::new());
        let named = BeneficiaryFields {
            guardian_kind: Some(GuardianKind::Named),
            guardian_name: Some("Grace Achieng".into()),
            guardian_phone: Some("+256 700 000003".into()),
            ..child(born)
        };
        let draft = BeneficiaryDraft::parse(named, TODAY).expect("valid");
        assert!(matches!(draft.guardian, Some(Guardian::Named { ref name, .. }) if name == "Grace Achieng"));
    }

    #[test]
    fn a_29_february_child_comes_of_age_on_1_march() {
        let born = date!(2008 - 02 - 29);
        assert_eq!(problems(child(born), date!(2026 - 02 - 28)), vec!["guardian_kind".to_owned()]);
        assert_eq!(problems(child(born), date!(2026 - 03 - 01)), Vec::<String>::new());
    }

    #[test]
    fn only_children_under_18_need_one() {
        let young_spouse =
            BeneficiaryFields { relation: Some(Relation::Spouse), ..child(date!(2010 - 01 - 01)) };
        assert_eq!(problems(young_spouse, TODAY), Vec::<String>::new(), "a spouse is not a child");
        // A child of unknown age cannot be shown to be of age: a date of birth, or a guardian.
        let no_birth_date = BeneficiaryFields {
            relation: Some(Relation::Child),
            ..BeneficiaryFields::sample(StaffId::new())
        };
        assert_eq!(problems(no_birth_date.clone(), TODAY), vec!["guardian_kind".to_owned()]);
        let guarded = BeneficiaryFields { guardian_kind: Some(GuardianKind::StaffMember), ..no_birth_date };
        assert_eq!(problems(guarded, TODAY), Vec::<String>::new());
    }

    #[test]
    fn every_rule_names_its_field() {
        let valid = || BeneficiaryFields::sample(StaffId::new());
        let cases = [
            (BeneficiaryFields { staff_id: None, ..valid() }, "staff_id"),
            (BeneficiaryFields { relation: None, ..valid() }, "relation"),
            (
                BeneficiaryFields { last_service_date: Some(date!(2026 - 06 - 16)), ..valid() },
                "last_service_date",
            ),
            (BeneficiaryFields { guardian_name: Some("A".into()), ..valid() }, "guardian_kind"),
            (BeneficiaryFields { guardian_kind: Some(GuardianKind::Named), ..valid() }, "guardian_name"),
            (
                BeneficiaryFields {
                    guardian_kind: Some(GuardianKind::Named),
                    guardian_name: Some("A".into()),
                    guardian_email: Some("no".into()),
                    ..valid()
                },
                "guardian_email",
            ),
            (BeneficiaryFields { notes: Some("n".repeat(10_001)), ..valid() }, "notes"),
        ];
        for (fields, field) in cases {
            assert_eq!(problems(fields, TODAY), vec![field.to_owned()], "{field}");
        }
    }
}
