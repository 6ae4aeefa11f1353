use std::fs;
use tera::Tera;

fn main() {
    let tera = Tera::new("templates/**/*").expect("templates");
    let motd = fs::read_to_string("./config/motd.txt").unwrap_or_default();
    println!("{} {}", tera.get_template_names().count(), motd);
}
