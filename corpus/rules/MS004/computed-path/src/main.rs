use std::env;
use std::fs::File;

fn main() {
    let args: Vec<String> = env::args().collect();
    let file = File::open(&args[1]).expect("input");
    drop(file);
}
