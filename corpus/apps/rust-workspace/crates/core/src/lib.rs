//! Summary statistics over a list of integers.

/// Count, total, smallest, largest and mean of a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub total: i64,
    pub min: i64,
    pub max: i64,
    pub mean: f64,
}

/// Summarises `values`, or returns `None` when there are none.
pub fn summarise(values: &[i64]) -> Option<Summary> {
    let (&first, rest) = values.split_first()?;
    let (mut min, mut max, mut total) = (first, first, first);
    for &v in rest {
        min = min.min(v);
        max = max.max(v);
        total += v;
    }
    Some(Summary {
        count: values.len(),
        total,
        min,
        max,
        mean: total as f64 / values.len() as f64,
    })
}

/// Parses whitespace- or comma-separated integers.
pub fn parse_numbers(text: &str) -> Result<Vec<i64>, String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i64>().map_err(|e| format!("{s:?}: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_has_no_summary() {
        assert_eq!(summarise(&[]), None);
    }

    #[test]
    fn summary_of_sample() {
        let s = summarise(&[4, -2, 10]).unwrap();
        assert_eq!((s.count, s.total, s.min, s.max), (3, 12, -2, 10));
        assert_eq!(s.mean, 4.0);
    }

    #[test]
    fn parses_mixed_separators() {
        assert_eq!(parse_numbers("1, 2\n3").unwrap(), vec![1, 2, 3]);
        assert!(parse_numbers("1 x").is_err());
    }
}
