//! Capture of the process's stdout while a host-compiled program runs.
//!
//! anchor-lang's `msg!` (through `solana-msg`) prints with `println!` when compiled for the
//! host. While a native program runs, fd 1 points at the write end of a large pipe; the glue
//! drains the pipe synchronously (whenever it is about to write to the log collector, and when
//! the program returns), so the captured lines land in the transaction log as `Program log: …`
//! in the order the program printed them. Execution of transactions is serialised behind one
//! lock, so only one native program writes at a time.

use std::io::Write;
use std::os::fd::RawFd;
use std::sync::Mutex;

struct Pipe {
    read_fd: RawFd,
    write_fd: RawFd,
    saved_stdout: RawFd,
    /// Bytes of an unfinished line.
    partial: Vec<u8>,
    /// Nesting of `begin` calls.
    depth: usize,
}

static PIPE: Mutex<Option<Pipe>> = Mutex::new(None);
static INIT: std::sync::Once = std::sync::Once::new();

/// Pipe capacity asked for (Linux caps it at /proc/sys/fs/pipe-max-size, 1 MiB by default).
const PIPE_SIZE: libc::c_int = 1 << 20;

fn init() {
    INIT.call_once(|| {
        let mut fds = [0 as RawFd; 2];
        // SAFETY: plain libc calls on fds we own.
        unsafe {
            if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
                tracing::warn!("stdout capture disabled: pipe2 failed");
                return;
            }
            let [read_fd, write_fd] = fds;
            libc::fcntl(write_fd, libc::F_SETPIPE_SZ, PIPE_SIZE);
            // A program printing more than the pipe holds between two drains gets a write error
            // (its `println!` panics, failing the instruction with that message in the log)
            // instead of blocking the validator forever.
            let wflags = libc::fcntl(write_fd, libc::F_GETFL);
            libc::fcntl(write_fd, libc::F_SETFL, wflags | libc::O_NONBLOCK);
            let flags = libc::fcntl(read_fd, libc::F_GETFL);
            libc::fcntl(read_fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            let saved_stdout = libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3);
            if saved_stdout < 0 {
                tracing::warn!("stdout capture disabled: dup of fd 1 failed");
                return;
            }
            *PIPE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Pipe {
                read_fd,
                write_fd,
                saved_stdout,
                partial: Vec::new(),
                depth: 0,
            });
        }
    });
}

/// A duplicate of the process's original stdout, for output that must never be captured.
pub fn original_stdout_fd() -> RawFd {
    init();
    PIPE.lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map(|p| p.saved_stdout)
        .unwrap_or(1)
}

/// Writes one line to the original stdout (not captured), flushing at once.
pub fn print_stdout_line(line: &str) {
    let fd = original_stdout_fd();
    let mut bytes = line.as_bytes().to_vec();
    bytes.push(b'\n');
    let mut written = 0;
    while written < bytes.len() {
        // SAFETY: writing a byte buffer we own to an fd we own.
        let n = unsafe {
            libc::write(
                fd,
                bytes[written..].as_ptr() as *const libc::c_void,
                bytes.len() - written,
            )
        };
        if n <= 0 {
            break;
        }
        written += n as usize;
    }
}

/// Starts capturing (nested calls are counted; only the outermost redirects fd 1).
pub fn begin() {
    init();
    let _ = std::io::stdout().flush();
    let mut guard = PIPE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(pipe) = guard.as_mut() {
        if pipe.depth == 0 {
            // SAFETY: redirecting fd 1 to our pipe's write end.
            unsafe {
                libc::dup2(pipe.write_fd, 1);
            }
        }
        pipe.depth += 1;
    }
}

fn read_available(pipe: &mut Pipe) -> Vec<String> {
    let mut buf = [0u8; 16384];
    loop {
        // SAFETY: reading into a stack buffer from our non-blocking read end.
        let n = unsafe {
            libc::read(
                pipe.read_fd,
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
            )
        };
        if n <= 0 {
            break;
        }
        pipe.partial.extend_from_slice(&buf[..n as usize]);
    }
    let mut lines = Vec::new();
    while let Some(pos) = pipe.partial.iter().position(|b| *b == b'\n') {
        let line: Vec<u8> = pipe.partial.drain(..=pos).collect();
        lines.push(String::from_utf8_lossy(&line[..line.len() - 1]).into_owned());
    }
    lines
}

/// Complete lines printed since the last drain.
pub fn drain() -> Vec<String> {
    let _ = std::io::stdout().flush();
    let mut guard = PIPE.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_mut() {
        Some(pipe) if pipe.depth > 0 => read_available(pipe),
        _ => Vec::new(),
    }
}

/// Ends one level of capture and returns what is left (an unfinished line included when the
/// outermost level ends).
pub fn end() -> Vec<String> {
    let _ = std::io::stdout().flush();
    let mut guard = PIPE.lock().unwrap_or_else(|e| e.into_inner());
    let Some(pipe) = guard.as_mut() else {
        return Vec::new();
    };
    if pipe.depth == 0 {
        return Vec::new();
    }
    let mut lines = read_available(pipe);
    pipe.depth -= 1;
    if pipe.depth == 0 {
        if !pipe.partial.is_empty() {
            lines.push(String::from_utf8_lossy(&pipe.partial).into_owned());
            pipe.partial.clear();
        }
        // SAFETY: restoring fd 1 from our saved duplicate.
        unsafe {
            libc::dup2(pipe.saved_stdout, 1);
        }
    }
    lines
}
