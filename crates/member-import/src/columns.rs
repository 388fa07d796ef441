//! The documented column set of an eligibility file, the other names employers' systems give
//! the same columns, and the header that maps a file's positions to columns.
//!
//! Header names are compared after folding: lower case, and every run of characters other than
//! letters and digits read as one `_` (so `Employee No.`, `employee-no` and `EMPLOYEE_NO` are
//! the same name). A column the file does not have keeps the stored value; a column it has
//! sets it, an empty cell clearing it.

/// A column axis reads. The first name of each is the documented one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    EmployeeNumber,
    Relation,
    FullName,
    FirstName,
    LastName,
    PreferredName,
    DateOfBirth,
    Gender,
    Phone,
    Email,
    Address,
    PreferredLanguage,
    PreferredContactMethod,
    EmergencyContactName,
    EmergencyContactRelation,
    EmergencyContactPhone,
    EmergencyContactEmail,
    JobTitle,
    Department,
    StaffRole,
    EmploymentStart,
    GuardianName,
    GuardianRelation,
    GuardianPhone,
    GuardianEmail,
}

impl Column {
    pub const ALL: [Column; 25] = [
        Column::EmployeeNumber,
        Column::Relation,
        Column::FullName,
        Column::FirstName,
        Column::LastName,
        Column::PreferredName,
        Column::DateOfBirth,
        Column::Gender,
        Column::Phone,
        Column::Email,
        Column::Address,
        Column::PreferredLanguage,
        Column::PreferredContactMethod,
        Column::EmergencyContactName,
        Column::EmergencyContactRelation,
        Column::EmergencyContactPhone,
        Column::EmergencyContactEmail,
        Column::JobTitle,
        Column::Department,
        Column::StaffRole,
        Column::EmploymentStart,
        Column::GuardianName,
        Column::GuardianRelation,
        Column::GuardianPhone,
        Column::GuardianEmail,
    ];

    /// Every name the column is known by, folded; the first is the documented one (and the
    /// field name row errors use).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Column::EmployeeNumber => &[
                "employee_number",
                "employee_no",
                "employee_id",
                "emp_no",
                "emp_id",
                "staff_number",
                "staff_no",
                "payroll_number",
                "payroll_no",
                "subscriber_id",
            ],
            Column::Relation => {
                &["relation", "relationship", "relation_to_employee", "member_type", "dependent_relation"]
            }
            Column::FullName => &["full_name", "name", "member_name"],
            Column::FirstName => &["first_name", "given_name", "forename", "firstname"],
            Column::LastName => &["last_name", "surname", "family_name", "lastname"],
            Column::PreferredName => &["preferred_name", "known_as", "nickname"],
            Column::DateOfBirth => &["date_of_birth", "dob", "birth_date", "birthdate"],
            Column::Gender => &["gender", "sex"],
            Column::Phone => &["phone", "phone_number", "mobile", "mobile_number", "telephone", "cell"],
            Column::Email => &["email", "email_address", "e_mail", "work_email"],
            Column::Address => &["address", "home_address", "postal_address"],
            Column::PreferredLanguage => &["preferred_language", "language"],
            Column::PreferredContactMethod => &["preferred_contact_method", "contact_method"],
            Column::EmergencyContactName => &["emergency_contact_name", "emergency_contact", "next_of_kin"],
            Column::EmergencyContactRelation => &["emergency_contact_relation", "next_of_kin_relation"],
            Column::EmergencyContactPhone => &["emergency_contact_phone", "next_of_kin_phone"],
            Column::EmergencyContactEmail => &["emergency_contact_email", "next_of_kin_email"],
            Column::JobTitle => &["job_title", "position", "designation"],
            Column::Department => &["department", "dept", "division", "business_unit"],
            Column::StaffRole => &["staff_role", "role"],
            Column::EmploymentStart => &[
                "employment_start",
                "employment_start_date",
                "start_date",
                "hire_date",
                "date_of_hire",
                "date_joined",
            ],
            Column::GuardianName => &["guardian_name"],
            Column::GuardianRelation => &["guardian_relation"],
            Column::GuardianPhone => &["guardian_phone"],
            Column::GuardianEmail => &["guardian_email"],
        }
    }

    /// The documented name.
    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// The column a header cell names, if any.
    pub fn named(header_cell: &str) -> Option<Column> {
        let folded = fold(header_cell);
        Column::ALL.into_iter().find(|column| column.names().contains(&folded.as_str()))
    }
}

/// Lower case, and every run of other characters than letters and digits as one `_`, trimmed.
pub fn fold(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            folded.extend(c.to_lowercase());
        } else if !folded.is_empty() && !folded.ends_with('_') {
            folded.push('_');
        }
    }
    while folded.ends_with('_') {
        folded.pop();
    }
    folded
}

/// What makes a header unusable; the whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the columns `{first}` and `{second}` both give {column}")]
    TwiceNamed { column: &'static str, first: String, second: String },
    #[error("the file needs the column {0}")]
    Missing(&'static str),
    #[error("the file has no header row")]
    Empty,
}

/// Where each column stands in the file's rows, and the header cells axis does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    positions: Vec<(Column, usize)>,
    /// Each column's header cell as the file wrote it (trimmed), in `positions`' order.
    labels: Vec<String>,
    pub ignored: Vec<String>,
    pub width: usize,
}

impl Header {
    /// Reads a header row. A file must name people (`full_name`, or `first_name` and
    /// `last_name`), say how to match staff (`employee_number` or `email`) and when they were
    /// employed from (`employment_start`).
    pub fn parse(cells: &[String]) -> Result<Header, HeaderError> {
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            return Err(HeaderError::Empty);
        }
        let mut positions: Vec<(Column, usize)> = Vec::new();
        let mut labels = Vec::new();
        let mut ignored = Vec::new();
        for (at, cell) in cells.iter().enumerate() {
            match Column::named(cell) {
                Some(column) => {
                    if let Some(&(_, first)) = positions.iter().find(|(known, _)| *known == column) {
                        return Err(HeaderError::TwiceNamed {
                            column: column.name(),
                            first: cells[first].trim().to_owned(),
                            second: cell.trim().to_owned(),
                        });
                    }
                    positions.push((column, at));
                    labels.push(cell.trim().to_owned());
                }
                None if cell.trim().is_empty() => {}
                None => ignored.push(cell.trim().to_owned()),
            }
        }
        let header = Header { positions, labels, ignored, width: cells.len() };
        let has = |column| header.position(column).is_some();
        let named = has(Column::FullName) || (has(Column::FirstName) && has(Column::LastName));
        if !named {
            return Err(HeaderError::Missing("full_name (or first_name and last_name)"));
        }
        if !has(Column::EmployeeNumber) && !has(Column::Email) {
            return Err(HeaderError::Missing("employee_number or email"));
        }
        if !has(Column::EmploymentStart) {
            return Err(HeaderError::Missing("employment_start"));
        }
        Ok(header)
    }

    /// The position of `column` in a row, when the file has it.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.positions.iter().find(|(known, _)| *known == column).map(|&(_, at)| at)
    }

    /// Whether the file has `column` (and so sets it on every row).
    pub fn has(&self, column: Column) -> bool {
        self.position(column).is_some()
    }

    /// The columns the file has, in the order of [`Column::ALL`].
    pub fn columns(&self) -> Vec<Column> {
        Column::ALL.into_iter().filter(|column| self.has(*column)).collect()
    }

    /// The header cell that named `column`, as the file wrote it.
    pub fn label(&self, column: Column) -> Option<&str> {
        let index = self.positions.iter().position(|(known, _)| *known == column)?;
        self.labels.get(index).map(String::as_str)
    }

    /// The header cells of [`Header::columns`], in the same order.
    pub fn labels(&self) -> Vec<String> {
        self.columns().into_iter().filter_map(|column| self.label(column).map(str::to_owned)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Result<Header, HeaderError> {
        Header::parse(&names.iter().map(|name| (*name).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn names_fold_to_one_form() {
        assert_eq!(fold("  Employee No. "), "employee_no");
        assert_eq!(fold("DATE-OF-BIRTH"), "date_of_birth");
        assert_eq!(fold("e-mail"), "e_mail");
        assert_eq!(fold("Full  Name"), "full_name");
    }

    #[test]
    fn every_alias_names_its_column_and_no_other() {
        for column in Column::ALL {
            for name in column.names() {
                assert_eq!(Column::named(name), Some(column), "{name}");
                assert_eq!(Column::named(&name.to_uppercase().replace('_', " ")), Some(column), "{name}");
            }
        }
        assert_eq!(Column::named("Employee No."), Some(Column::EmployeeNumber));
        assert_eq!(Column::named("DOB"), Some(Column::DateOfBirth));
        assert_eq!(Column::named("Surname"), Some(Column::LastName));
        assert_eq!(Column::named("Hire Date"), Some(Column::EmploymentStart));
        assert_eq!(Column::named("favourite colour"), None);
    }

    #[test]
    fn a_header_maps_columns_to_positions_and_lists_what_it_ignores() {
        let header = header(&["Emp No", "Name", "Start Date", "Shoe size", ""]).unwrap();
        assert_eq!(header.position(Column::EmployeeNumber), Some(0));
        assert_eq!(header.position(Column::FullName), Some(1));
        assert_eq!(header.position(Column::EmploymentStart), Some(2));
        assert_eq!(header.position(Column::Email), None);
        assert_eq!(header.ignored, vec!["Shoe size".to_owned()]);
        assert_eq!(header.width, 5);
        assert_eq!(header.columns(), vec![Column::EmployeeNumber, Column::FullName, Column::EmploymentStart]);
        assert_eq!(header.labels(), vec!["Emp No", "Name", "Start Date"]);
        assert_eq!(header.label(Column::EmploymentStart), Some("Start Date"));
    }

    #[test]
    fn a_header_must_name_people_match_staff_and_date_employment() {
        assert!(header(&["first_name", "surname", "email", "hire_date"]).is_ok());
        assert_eq!(
            header(&["first_name", "email", "hire_date"]),
            Err(HeaderError::Missing("full_name (or first_name and last_name)"))
        );
        assert_eq!(header(&["name", "hire_date"]), Err(HeaderError::Missing("employee_number or email")));
        assert_eq!(header(&["name", "email"]), Err(HeaderError::Missing("employment_start")));
        assert_eq!(header(&["", " "]), Err(HeaderError::Empty));
    }

    #[test]
    fn two_names_of_one_column_are_refused() {
        assert_eq!(
            header(&["employee_no", "Payroll Number", "name", "start_date"]),
            Err(HeaderError::TwiceNamed {
                column: "employee_number",
                first: "employee_no".into(),
                second: "Payroll Number".into()
            })
        );
    }
}
