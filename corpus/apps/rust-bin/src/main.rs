//! A minimal HTTP/1.1 server on the standard library only.
//!
//! `GET /health` answers 200 "ok"; every other path answers 404. The port
//! comes from `PORT` (default 8080). SIGTERM ends the process at once, so it
//! also stops promptly when it runs as PID 1 in a container.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

extern "C" {
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    fn _exit(status: i32) -> !;
}

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

extern "C" fn on_stop(_signum: i32) {
    // Only async-signal-safe calls belong in a handler.
    unsafe { _exit(0) }
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

fn handle(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);

    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers up to the blank line.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }

    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let path = target.split('?').next().unwrap_or("");

    match (method, path) {
        ("GET", "/health") => respond(&mut stream, "200 OK", "ok"),
        ("GET", _) => respond(&mut stream, "404 Not Found", "not found\n"),
        _ => respond(
            &mut stream,
            "405 Method Not Allowed",
            "method not allowed\n",
        ),
    }
}

fn main() -> std::io::Result<()> {
    unsafe {
        signal(SIGTERM, on_stop);
        signal(SIGINT, on_stop);
    }

    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let listener = TcpListener::bind(format!("0.0.0.0:{port}"))?;
    eprintln!("listening on 0.0.0.0:{port}");

    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                thread::spawn(move || {
                    if let Err(err) = handle(stream) {
                        eprintln!("connection error: {err}");
                    }
                });
            }
            Err(err) => eprintln!("accept failed: {err}"),
        }
    }
    Ok(())
}
