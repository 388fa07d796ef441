//! Amounts of money: a decimal in an ISO 4217 currency, never more precise than the currency's
//! minor unit (`1200.50 UGX` is refused; `1200 UGX` and `1200.00 UGX` are the same amount).

use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;

/// An ISO 4217 currency: its code and its minor unit (the decimals an amount may have).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    minor_units: u8,
}

/// Active ISO 4217 codes and their minor units (fund codes included; the precious metals and
/// testing codes, which have no minor unit, are not currencies a contract is priced in).
#[rustfmt::skip]
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2),
    ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BIF", 0),
    ("BMD", 2), ("BND", 2), ("BOB", 2), ("BOV", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2), ("BWP", 2),
    ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHE", 2), ("CHF", 2), ("CHW", 2), ("CLF", 4),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("COU", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2),
    ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2),
    ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2), ("GNF", 0),
    ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2),
    ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2), ("JOD", 3), ("JPY", 0), ("KES", 2),
    ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2),
    ("LAK", 2), ("LBP", 2), ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2),
    ("MGA", 2), ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2),
    ("MWK", 2), ("MXN", 2), ("MXV", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2), ("PHP", 2),
    ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2), ("RWF", 0),
    ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2), ("SHP", 2), ("SLE", 2),
    ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2),
    ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2),
    ("UAH", 2), ("UGX", 0), ("USD", 2), ("USN", 2), ("UYI", 0), ("UYU", 2), ("UYW", 4), ("UZS", 2),
    ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2), ("XCG", 2),
    ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
];

impl Currency {
    /// The currency with this code (three capital letters, as ISO 4217 writes it).
    pub fn from_code(code: &str) -> Option<Self> {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|&(code, minor_units)| Currency { code, minor_units })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Decimals an amount in it may have (0 for UGX and JPY, 2 for USD, 3 for KWD).
    pub fn minor_units(&self) -> u8 {
        self.minor_units
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("is not an ISO 4217 currency code")]
    UnknownCurrency,
    #[error("is not a decimal number")]
    NotANumber,
    #[error("has more decimals than {currency} allows ({minor_units})")]
    TooPrecise { currency: &'static str, minor_units: u8 },
    #[error("must not be negative")]
    Negative,
    #[error("must be below 100000000000000")]
    TooLarge,
}

/// An amount of money, kept at its currency's scale (`1200 UGX`, `12.50 USD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    amount: BigDecimal,
    currency: Currency,
}

impl Money {
    /// `amount` in `currency`: refused when it has more (non-zero) decimals than the currency
    /// allows, is negative, or is 10^14 or more.
    pub fn new(amount: &BigDecimal, currency: Currency) -> Result<Self, MoneyError> {
        let amount = amount.normalized();
        if amount.fractional_digit_count() > i64::from(currency.minor_units) {
            return Err(MoneyError::TooPrecise {
                currency: currency.code,
                minor_units: currency.minor_units,
            });
        }
        if amount < 0 {
            return Err(MoneyError::Negative);
        }
        if amount >= 100_000_000_000_000_i64 {
            return Err(MoneyError::TooLarge);
        }
        Ok(Self { amount: amount.with_scale(i64::from(currency.minor_units)), currency })
    }

    /// From the text of a decimal (`"1200.00"`) and a currency code (`"UGX"`).
    pub fn parse(amount: &str, currency: &str) -> Result<Self, MoneyError> {
        let currency = Currency::from_code(currency).ok_or(MoneyError::UnknownCurrency)?;
        let amount = BigDecimal::from_str(amount.trim()).map_err(|_| MoneyError::NotANumber)?;
        Self::new(&amount, currency)
    }

    /// At the currency's scale: `1200` for UGX, `12.50` for USD.
    pub fn amount(&self) -> &BigDecimal {
        &self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_as_precise_as_their_currency_and_no_more() {
        assert_eq!(
            Money::parse("1200.50", "UGX"),
            Err(MoneyError::TooPrecise { currency: "UGX", minor_units: 0 })
        );
        let whole = Money::parse("1200", "UGX").expect("whole shillings");
        assert_eq!(Money::parse("1200.00", "UGX").expect("trailing zeros"), whole, "the same amount");
        assert_eq!(whole.to_string(), "1200 UGX");
        assert_eq!(Money::parse("12.5", "USD").expect("dollars").to_string(), "12.50 USD");
        assert!(Money::parse("12.345", "USD").is_err());
        assert_eq!(Money::parse("1.234", "KWD").expect("fils").to_string(), "1.234 KWD");
        assert_eq!(Money::parse("0", "JPY").expect("zero").amount(), &BigDecimal::from(0));
    }

    #[test]
    fn the_rest_is_refused_with_its_reason() {
        assert_eq!(Money::parse("1", "ugx"), Err(MoneyError::UnknownCurrency), "codes are capitals");
        assert_eq!(Money::parse("1", "XYZ"), Err(MoneyError::UnknownCurrency));
        assert_eq!(Money::parse("ten", "USD"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("-1", "USD"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("100000000000000", "USD"), Err(MoneyError::TooLarge));
        assert!(Money::parse("99999999999999.99", "USD").is_ok());
    }

    #[test]
    fn every_code_is_three_capitals_and_listed_once() {
        let mut codes: Vec<&str> = CURRENCIES.iter().map(|(code, _)| *code).collect();
        assert!(codes.iter().all(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase())));
        let count = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), count);
    }
}
