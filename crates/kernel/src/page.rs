use serde::Serialize;

use crate::FieldErrors;

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

/// A validated page request: `page` from 1, `limit` from 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    limit: u32,
}

impl PageRequest {
    /// Builds a request from optional query values; out-of-range values are field errors
    /// (a `limit` over 100 is refused, never silently capped).
    pub fn parse(page: Option<u32>, limit: Option<u32>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if page == 0 {
            errors.add("page", "must be 1 or more");
        }
        if page > 1_000_000 {
            errors.add("page", "must be at most 1000000");
        }
        if limit == 0 || limit > MAX_LIMIT {
            errors.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
        }
        errors.into_result()?;
        Ok(Self { page, limit })
    }

    pub fn first() -> Self {
        Self { page: 1, limit: DEFAULT_LIMIT }
    }

    pub fn page(&self) -> u32 {
        self.page
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

/// One page of results with the exact total of the filtered set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub limit: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: u64, request: PageRequest) -> Self {
        Self { items, total, page: request.page, limit: request.limit }
    }

    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.limit.max(1)))
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            limit: self.limit,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

/// Parses an `ordering` value such as `-created_at` against the allowed fields.
pub fn parse_ordering<F: Copy>(
    raw: Option<&str>,
    allowed: &[(&str, F)],
    default: (F, SortDirection),
) -> Result<(F, SortDirection), FieldErrors> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(default);
    };
    let (name, direction) = match raw.strip_prefix('-') {
        Some(rest) => (rest, SortDirection::Descending),
        None => (raw, SortDirection::Ascending),
    };
    allowed.iter().find(|(candidate, _)| *candidate == name).map(|(_, field)| (*field, direction)).ok_or_else(
        || {
            let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
            FieldErrors::single(
                "ordering",
                format!("must be one of {} (prefix - for descending)", names.join(", ")),
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(PageRequest::parse(None, None).map(|p| (p.page(), p.limit())), Ok((1, 10)));
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert!(PageRequest::parse(None, Some(101)).is_err());
        assert_eq!(PageRequest::parse(Some(3), Some(100)).map(|p| p.offset()), Ok(200));
    }

    #[test]
    fn pages_round_up() {
        let request = PageRequest::parse(Some(1), Some(10)).unwrap_or(PageRequest::first());
        assert_eq!(Page::<u8>::new(vec![], 0, request).pages(), 0);
        assert_eq!(Page::<u8>::new(vec![], 10, request).pages(), 1);
        assert_eq!(Page::<u8>::new(vec![], 11, request).pages(), 2);
    }

    #[test]
    fn ordering_accepts_only_listed_fields() {
        let allowed = [("name", 1), ("created_at", 2)];
        let default = (1, SortDirection::Ascending);
        assert_eq!(
            parse_ordering(Some("-created_at"), &allowed, default),
            Ok((2, SortDirection::Descending))
        );
        assert_eq!(parse_ordering(None, &allowed, default), Ok(default));
        assert!(parse_ordering(Some("password_hash"), &allowed, default).is_err());
    }
}
