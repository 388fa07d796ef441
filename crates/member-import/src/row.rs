//! One row of an eligibility file checked on its own: the same rules as the API's (a staff
//! member's through [`StaffDraft::parse`], a dependent's through [`BeneficiaryDraft::parse`]),
//! with errors named by the documented column. What needs stored data (matching, the staff
//! member a dependent names, duplicates across rows) is the adapter's set-based step.
//!
//! A row is a staff member's unless its `relation` names a dependent's relation (`self`,
//! `employee` or an empty cell mean the staff member). A dependent's row names their staff
//! member by the staff member's `employee_number`.

use axis_beneficiaries::{BeneficiaryDraft, BeneficiaryFields, GuardianKind, Relation, needs_guardian};
use axis_kernel::input::parse_date;
use axis_kernel::person::{ContactMethod, Gender};
use axis_kernel::{ClientId, FieldErrors, Profile, ProfileFields};
use axis_staff::{StaffDraft, StaffFields, StaffRole};
use time::Date;

use crate::columns::{Column, Header, fold};
use axis_kernel::csv::RawRow;

/// Whom a row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Staff,
    Dependent(Relation),
}

/// A staff member's row, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub line: u64,
    pub draft: StaffDraft,
}

/// A dependent's row, checked: the beneficiary's fields and their staff member's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependentRow {
    pub line: u64,
    pub staff_employee_number: String,
    pub profile: Profile,
    pub relation: Relation,
    /// `Some` when the row names a guardian, or the dependent is a child under 18 (whose
    /// guardian is then the staff member).
    pub guardian: Option<axis_beneficiaries::Guardian>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRow {
    Staff(StaffRow),
    Dependent(DependentRow),
}

impl ImportRow {
    /// Whom the row describes, for the report.
    pub fn kind(&self) -> crate::model::RowKind {
        match self {
            ImportRow::Staff(_) => crate::model::RowKind::Staff,
            ImportRow::Dependent(_) => crate::model::RowKind::Dependent,
        }
    }

    pub fn line(&self) -> u64 {
        match self {
            ImportRow::Staff(row) => row.line,
            ImportRow::Dependent(row) => row.line,
        }
    }
}

/// Checks one row of a file with `header`, for `client`'s staff; `today` bounds dates of birth
/// and decides who is a child. Errors name the documented columns.
pub fn parse_row(
    header: &Header,
    raw: &RawRow,
    client: ClientId,
    today: Date,
) -> Result<ImportRow, FieldErrors> {
    if raw.cells.len() != header.width {
        return Err(FieldErrors::single(
            "row",
            format!("has {} fields where the header has {}", raw.cells.len(), header.width),
        ));
    }
    let cell = |column: Column| -> Option<String> {
        let value = raw.cells[header.position(column)?].trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    let mut errors = FieldErrors::new();
    let kind = match cell(Column::Relation) {
        None => Subject::Staff,
        Some(value) => relation(&value).unwrap_or_else(|| {
            errors.add(
                Column::Relation.name(),
                "must be self (the staff member) or one of child, spouse, parent, sibling, grandparent, guardian, other",
            );
            Subject::Staff
        }),
    };
    let profile = ProfileFields {
        full_name: full_name(&cell),
        preferred_name: cell(Column::PreferredName),
        date_of_birth: date(&mut errors, Column::DateOfBirth, cell(Column::DateOfBirth)),
        gender: cell(Column::Gender).and_then(|value| {
            gender(&value).or_else(|| {
                errors.add(Column::Gender.name(), "must be one of female, male, other, undisclosed");
                None
            })
        }),
        phone: cell(Column::Phone),
        email: cell(Column::Email),
        address: cell(Column::Address),
        preferred_language: cell(Column::PreferredLanguage).map(|tag| tag.to_lowercase()),
        preferred_contact_method: cell(Column::PreferredContactMethod).and_then(|value| {
            fold(&value)
                .parse::<ContactMethod>()
                .map_err(|e| errors.add(Column::PreferredContactMethod.name(), e.to_string()))
                .ok()
        }),
        emergency_contact_name: cell(Column::EmergencyContactName),
        emergency_contact_relation: cell(Column::EmergencyContactRelation),
        emergency_contact_phone: cell(Column::EmergencyContactPhone),
        emergency_contact_email: cell(Column::EmergencyContactEmail),
    };
    match kind {
        Subject::Staff => {
            let fields = StaffFields {
                client_id: Some(client),
                profile,
                employee_number: cell(Column::EmployeeNumber),
                job_title: cell(Column::JobTitle),
                department: cell(Column::Department),
                role: cell(Column::StaffRole).and_then(|value| {
                    fold(&value)
                        .parse::<StaffRole>()
                        .map_err(|e| errors.add(Column::StaffRole.name(), e.to_string()))
                        .ok()
                }),
                employment_start: date(&mut errors, Column::EmploymentStart, cell(Column::EmploymentStart)),
            };
            if fields.employee_number.is_none() && fields.profile.email.is_none() {
                errors.add(Column::EmployeeNumber.name(), "is required when the row has no email");
            }
            let had_date_error = errors.fields().contains_key(Column::EmploymentStart.name());
            let draft = StaffDraft::parse(fields, None, today).map_err(|mut found| {
                // A malformed date was reported already; "is required" would say it twice.
                if had_date_error {
                    found = without(found, Column::EmploymentStart.name());
                }
                errors.merge(found);
            });
            match (draft, errors.is_empty()) {
                (Ok(draft), true) => Ok(ImportRow::Staff(StaffRow { line: raw.line, draft })),
                _ => Err(errors),
            }
        }
        Subject::Dependent(relation) => {
            // Read as the staff member's own number is (NFKC; compared without regard to case).
            let staff_employee_number = axis_kernel::input::identifier(
                &mut errors,
                Column::EmployeeNumber.name(),
                cell(Column::EmployeeNumber),
                100,
            );
            if staff_employee_number.is_none() && !errors.fields().contains_key(Column::EmployeeNumber.name())
            {
                errors.add(
                    Column::EmployeeNumber.name(),
                    "is required: a dependent's row names their staff member's number",
                );
            }
            let guardian_name = cell(Column::GuardianName);
            let named = [
                Column::GuardianName,
                Column::GuardianRelation,
                Column::GuardianPhone,
                Column::GuardianEmail,
            ]
            .into_iter()
            .any(|column| cell(column).is_some());
            let of_age = Profile { date_of_birth: profile.date_of_birth, ..Profile::default() };
            let guardian_kind = if named {
                Some(GuardianKind::Named)
            } else if needs_guardian(relation, &of_age, today) {
                Some(GuardianKind::StaffMember)
            } else {
                None
            };
            let fields = BeneficiaryFields {
                // The staff member is found by number in the database step; any id passes here.
                staff_id: Some(axis_staff::StaffId::new()),
                profile,
                relation: Some(relation),
                guardian_kind,
                guardian_name,
                guardian_relation: cell(Column::GuardianRelation),
                guardian_phone: cell(Column::GuardianPhone),
                guardian_email: cell(Column::GuardianEmail),
                last_service_date: None,
                notes: None,
            };
            let draft = BeneficiaryDraft::parse(fields, today).map_err(|found| errors.merge(found));
            match (draft, staff_employee_number, errors.is_empty()) {
                (Ok(draft), Some(staff_employee_number), true) => Ok(ImportRow::Dependent(DependentRow {
                    line: raw.line,
                    staff_employee_number,
                    profile: draft.profile,
                    relation: draft.relation,
                    guardian: draft.guardian,
                })),
                _ => Err(errors),
            }
        }
    }
}

/// Whom a relation cell says a row describes (an unknown word: the staff member, as the report
/// shows it).
pub(crate) fn kind_named(cell: &str) -> crate::model::RowKind {
    match relation(cell) {
        Some(Subject::Dependent(_)) => crate::model::RowKind::Dependent,
        _ => crate::model::RowKind::Staff,
    }
}

/// `full_name`, or `first_name` and `last_name` joined by a space.
fn full_name(cell: &impl Fn(Column) -> Option<String>) -> String {
    cell(Column::FullName).unwrap_or_else(|| {
        [cell(Column::FirstName), cell(Column::LastName)].into_iter().flatten().collect::<Vec<_>>().join(" ")
    })
}

fn date(errors: &mut FieldErrors, column: Column, value: Option<String>) -> Option<Date> {
    parse_date(errors, column.name(), value.as_deref())
}

/// The relation a cell names: the staff member themself, or a dependent's relation, in the
/// words employers' systems use.
fn relation(value: &str) -> Option<Subject> {
    let dependent = |relation| Some(Subject::Dependent(relation));
    match fold(value).as_str() {
        "self" | "employee" | "staff" | "subscriber" | "principal" | "member" | "e" => Some(Subject::Staff),
        "child" | "son" | "daughter" | "c" => dependent(Relation::Child),
        "spouse" | "partner" | "husband" | "wife" | "s" => dependent(Relation::Spouse),
        "parent" | "mother" | "father" => dependent(Relation::Parent),
        "sibling" | "brother" | "sister" => dependent(Relation::Sibling),
        "grandparent" | "grandmother" | "grandfather" => dependent(Relation::Grandparent),
        "guardian" => dependent(Relation::Guardian),
        "other" => dependent(Relation::Other),
        _ => None,
    }
}

fn gender(value: &str) -> Option<Gender> {
    match fold(value).as_str() {
        "female" | "f" | "woman" => Some(Gender::Female),
        "male" | "m" | "man" => Some(Gender::Male),
        "other" | "o" => Some(Gender::Other),
        "undisclosed" | "prefer_not_to_say" | "u" => Some(Gender::Undisclosed),
        _ => None,
    }
}

/// `errors` without those of `field`.
fn without(errors: FieldErrors, field: &str) -> FieldErrors {
    let mut kept = FieldErrors::new();
    for (name, messages) in errors.fields() {
        if name != field {
            for message in messages {
                kept.add(name.clone(), message.clone());
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use axis_beneficiaries::Guardian;
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 30);

    fn header(names: &[&str]) -> Header {
        Header::parse(&names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    fn parse(header: &Header, cells: &[&str]) -> Result<ImportRow, FieldErrors> {
        let raw = RawRow { line: 7, cells: cells.iter().map(|c| (*c).to_owned()).collect() };
        parse_row(header, &raw, ClientId::new(), TODAY)
    }

    fn problems(result: Result<ImportRow, FieldErrors>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(errors) => errors.fields().keys().cloned().collect(),
        }
    }

    const FULL: &[&str] = &[
        "employee_number",
        "relation",
        "full_name",
        "date_of_birth",
        "gender",
        "email",
        "phone",
        "staff_role",
        "employment_start",
        "guardian_name",
    ];

    #[test]
    fn a_staff_row_carries_every_column_it_has() {
        let row = parse(
            &header(FULL),
            &[
                "E-1",
                "self",
                " Amina Nakato ",
                "1990-02-28",
                "F",
                "amina@x.ug",
                "+256 700 100200",
                "Manager",
                "2024-01-15",
                "",
            ],
        )
        .unwrap();
        let ImportRow::Staff(StaffRow { line, draft }) = row else { panic!("a staff row") };
        assert_eq!(line, 7);
        assert_eq!(draft.employee_number.as_deref(), Some("E-1"));
        assert_eq!(draft.profile.full_name, "Amina Nakato");
        assert_eq!(draft.profile.gender, Some(Gender::Female));
        assert_eq!(draft.profile.date_of_birth, Some(date!(1990 - 02 - 28)));
        assert_eq!(draft.role, StaffRole::Manager);
        assert_eq!(draft.employment_start, date!(2024 - 01 - 15));
    }

    #[test]
    fn first_and_last_names_make_the_full_name() {
        let header = header(&["surname", "first name", "email", "hire date"]);
        let Ok(ImportRow::Staff(row)) = parse(&header, &["Okello", "John", "j@x.ug", "2020-05-01"]) else {
            panic!("a staff row")
        };
        assert_eq!(row.draft.profile.full_name, "John Okello");
        assert_eq!(row.draft.employee_number, None, "matched by e-mail");
    }

    #[test]
    fn every_column_rule_names_its_column() {
        let header = header(FULL);
        let valid = ["E-1", "", "Amina", "1990-01-01", "", "a@x.ug", "", "", "2024-01-15", ""];
        assert_eq!(problems(parse(&header, &valid)), Vec::<String>::new());
        let cases: [(usize, &str, &str); 10] = [
            (0, "", "employee_number"), // with no e-mail below
            (1, "cousin", "relation"),
            (2, "", "full_name"),
            (3, "1990-13-01", "date_of_birth"),
            (3, "2030-01-01", "date_of_birth"),
            (4, "maybe", "gender"),
            (5, "not-an-email", "email"),
            (7, "boss", "staff_role"),
            (8, "15/01/2024", "employment_start"),
            (8, "", "employment_start"),
        ];
        for (at, value, column) in cases {
            let mut cells = valid;
            cells[at] = value;
            if column == "employee_number" {
                cells[5] = "";
            }
            assert_eq!(problems(parse(&header, &cells)), vec![column.to_owned()], "{column} = {value:?}");
        }
    }

    #[test]
    fn a_row_of_another_width_is_refused_whole() {
        let errors = parse(&header(FULL), &["E-1", "self"]).unwrap_err();
        assert_eq!(errors.fields()["row"], vec!["has 2 fields where the header has 10".to_owned()]);
    }

    #[test]
    fn relation_words_employers_use() {
        for (word, kind) in [
            ("Self", Subject::Staff),
            ("EMPLOYEE", Subject::Staff),
            ("", Subject::Staff),
            ("Son", Subject::Dependent(Relation::Child)),
            ("wife", Subject::Dependent(Relation::Spouse)),
            ("Mother", Subject::Dependent(Relation::Parent)),
            ("brother", Subject::Dependent(Relation::Sibling)),
            ("Grandfather", Subject::Dependent(Relation::Grandparent)),
            ("guardian", Subject::Dependent(Relation::Guardian)),
            ("other", Subject::Dependent(Relation::Other)),
        ] {
            let found = if word.is_empty() { Some(Subject::Staff) } else { relation(word) };
            assert_eq!(found, Some(kind), "{word}");
        }
    }

    /// A dependent's row for a child born on `born`, with or without a named guardian.
    fn child(born: &str, guardian: &str) -> Result<ImportRow, FieldErrors> {
        parse(&header(FULL), &["E-1", "child", "Baby Nakato", born, "", "", "", "", "", guardian])
    }

    #[test]
    fn a_child_under_18_gets_the_staff_member_as_guardian_unless_one_is_named() {
        // 17 years and 364 days, the 18th birthday, and a 29 February birthday.
        let cases = [
            ("2008-12-01", "", Some(Guardian::StaffMember)),
            ("2008-11-30", "", None),
            ("2008-02-29", "", None),
            ("2009-03-01", "", Some(Guardian::StaffMember)),
        ];
        for (born, named, expected) in cases {
            let Ok(ImportRow::Dependent(row)) = child(born, named) else { panic!("a dependent row: {born}") };
            assert_eq!(row.guardian, expected, "born {born}");
            assert_eq!(row.staff_employee_number, "E-1");
            assert_eq!(row.relation, Relation::Child);
        }
        let Ok(ImportRow::Dependent(row)) = child("2015-06-01", "Grace Achieng") else {
            panic!("a dependent row")
        };
        assert!(matches!(row.guardian, Some(Guardian::Named { ref name, .. }) if name == "Grace Achieng"));
    }

    #[test]
    fn a_dependent_names_their_staff_member() {
        let mut cells = ["", "spouse", "Okello John", "1985-01-01", "", "", "", "", "", ""];
        assert_eq!(problems(parse(&header(FULL), &cells)), vec!["employee_number".to_owned()]);
        cells[0] = "E-9";
        let Ok(ImportRow::Dependent(row)) = parse(&header(FULL), &cells) else { panic!("a dependent row") };
        assert_eq!(
            (row.staff_employee_number.as_str(), row.relation, row.guardian),
            ("E-9", Relation::Spouse, None)
        );
    }
}
