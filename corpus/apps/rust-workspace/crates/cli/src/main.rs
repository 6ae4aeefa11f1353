//! `tool`: prints summary statistics for the integers given as arguments,
//! or for a built-in sample when there are none.

use std::process::ExitCode;

use tool_core::{parse_numbers, summarise};

const SAMPLE: &str = "3 1 4 1 5 9 2 6 5 3 5";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let input = if args.is_empty() {
        SAMPLE.to_string()
    } else {
        args.join(" ")
    };

    let numbers = match parse_numbers(&input) {
        Ok(n) => n,
        Err(err) => {
            eprintln!("tool: not a number: {err}");
            return ExitCode::from(2);
        }
    };

    match summarise(&numbers) {
        Some(s) => {
            println!(
                "tool {}: count={} total={} min={} max={} mean={:.2}",
                env!("CARGO_PKG_VERSION"),
                s.count,
                s.total,
                s.min,
                s.max,
                s.mean
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("tool: no numbers given");
            ExitCode::from(2)
        }
    }
}
