use std::collections::BTreeMap;

/// Field name -> messages; becomes the `errors` member of a 422 problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// Adds every error of `other`.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn fields(&self) -> &BTreeMap<String, Vec<String>> {
        &self.0
    }

    /// `Ok(())` when nothing was collected, so validation can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// What a storage adapter can report, in domain terms. Driver messages never cross this line.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the name says which natural key.
    #[error("duplicate value for {constraint}")]
    Duplicate { constraint: String },
    /// A foreign key refused the write: the referenced row does not exist.
    #[error("missing reference ({constraint})")]
    MissingReference { constraint: String },
    /// The row changed since it was read (optimistic concurrency).
    #[error("the record was changed by someone else")]
    VersionConflict,
    /// The database could not be reached in time (pool exhausted, connection refused).
    #[error("storage unavailable")]
    Unavailable,
    #[error(transparent)]
    Unknown(Box<dyn std::error::Error + Send + Sync>),
}
