crate::string_enum! {
    /// What a user may do, highest first. Deny by default: every use case names the roles it admits.
    pub enum Role { Admin => "admin", Manager => "manager", Analyst => "analyst", Viewer => "viewer" }
}

impl Role {
    fn rank(self) -> u8 {
        match self {
            Role::Admin => 3,
            Role::Manager => 2,
            Role::Analyst => 1,
            Role::Viewer => 0,
        }
    }

    /// True when this role is `other` or higher on the ladder.
    pub fn at_least(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_forms_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        let error = "Admin".parse::<Role>().unwrap_err();
        assert_eq!(error.to_string(), "must be one of admin, manager, analyst, viewer");
    }

    #[test]
    fn ladder_is_ordered() {
        assert!(Role::Admin.at_least(Role::Manager));
        assert!(Role::Manager.at_least(Role::Manager));
        assert!(!Role::Analyst.at_least(Role::Manager));
        assert!(!Role::Viewer.at_least(Role::Analyst));
    }
}
