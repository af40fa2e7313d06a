//! The SBF heap, measured on the host.
//!
//! On SBF a program gets 32 KiB of heap per invocation, served by the entrypoint's bump allocator
//! (`solana_program_entrypoint::BumpAllocator`), which never frees: what counts is every byte
//! ever allocated during the instruction (with alignment), not the peak of live bytes. The
//! process's global allocator here ([`HeapMeter`]) replays that bump allocator, on the thread
//! that runs the program, for exactly the program's own code:
//!
//! - the treasury's native entry is wrapped ([`metered_treasury_entry`]) so measuring starts and
//!   stops around it, after the entrypoint's `deserialize` has been replayed (its `Vec` of
//!   `AccountInfo`s and two `Rc`s per account, allocated on the SBF heap too);
//! - the syscall stubs are wrapped ([`install_metered_stubs`]) so the runtime's own work inside
//!   a syscall (a CPI into SPL Token, the log collector) is not counted: on SBF it does not use
//!   the program's heap.
//!
//! Differences left: `u128` is 16-byte aligned on x86_64 and 8 on SBF (host figures can only be
//! larger), and host-only code paths in dependencies (none known in the program's path) would
//! be counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Once, OnceLock};

use ashao_local_validator::native::{AccountInfo, Address, NativeEntry, ProgramResult};
use solana_instruction::Instruction;
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};

/// The heap an SBF program gets by default (`solana_program_entrypoint::HEAP_LENGTH`).
pub const SBF_HEAP_BYTES: u64 = solana_program_entrypoint::HEAP_LENGTH as u64;

/// The bump allocator keeps its position in the first 8 bytes of the heap.
pub const SBF_HEAP_USABLE_BYTES: u64 = SBF_HEAP_BYTES - 8;

/// The process's allocator: the system allocator, counting what an SBF bump allocator would hand
/// out while a measured frame runs on the current thread.
pub struct HeapMeter;

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Bytes from the top of the simulated bump heap down to its position.
    static BUMP_USED: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<u64> = const { Cell::new(0) };
    static PEAK_LIVE: Cell<u64> = const { Cell::new(0) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static RECORDS: RefCell<Vec<HeapUsage>> = const { RefCell::new(Vec::new()) };
    static ENTRYPOINT_CACHE: RefCell<Option<HashMap<Vec<u8>, HeapUsage>>> = const { RefCell::new(None) };
}

fn active() -> bool {
    ACTIVE.try_with(Cell::get).unwrap_or(false)
}

/// The bump allocator's step: its position moves down by `size`, then down to a multiple of
/// `align`; the heap's top is aligned, so the bytes used become `align_up(used + size, align)`.
fn bump(size: usize, align: usize) {
    let _ = BUMP_USED.try_with(|used| {
        let align = align as u64;
        let next = used.get().saturating_add(size as u64);
        used.set(next.div_ceil(align).saturating_mul(align));
    });
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn grow_live(size: usize) {
    let _ = LIVE.try_with(|live| {
        let next = live.get().saturating_add(size as u64);
        live.set(next);
        let _ = PEAK_LIVE.try_with(|peak| peak.set(peak.get().max(next)));
    });
}

fn shrink_live(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(size as u64)));
}

// SAFETY: every call is forwarded to the system allocator unchanged; the bookkeeping only
// touches const-initialised thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for HeapMeter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if active() {
            bump(layout.size(), layout.align());
            grow_live(layout.size());
        }
        // SAFETY: forwarded as received.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if active() {
            bump(layout.size(), layout.align());
            grow_live(layout.size());
        }
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if active() {
            shrink_live(layout.size());
        }
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if active() {
            // The bump allocator has no realloc of its own: `GlobalAlloc::realloc`'s default
            // allocates the new size and copies.
            bump(new_size, layout.align());
            shrink_live(layout.size());
            grow_live(new_size);
        }
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What one measured frame allocated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapUsage {
    /// What an SBF bump allocator would have handed out (the figure the 32 KiB limit applies to).
    pub bump_bytes: u64,
    /// The most bytes live at once (what a freeing allocator would need).
    pub peak_live_bytes: u64,
    pub allocations: u64,
}

struct Saved {
    active: bool,
    used: u64,
    live: u64,
    peak: u64,
    allocations: u64,
}

fn save() -> Saved {
    Saved {
        active: active(),
        used: BUMP_USED.with(Cell::get),
        live: LIVE.with(Cell::get),
        peak: PEAK_LIVE.with(Cell::get),
        allocations: ALLOCATIONS.with(Cell::get),
    }
}

fn restore(saved: &Saved) {
    ACTIVE.with(|c| c.set(saved.active));
    BUMP_USED.with(|c| c.set(saved.used));
    LIVE.with(|c| c.set(saved.live));
    PEAK_LIVE.with(|c| c.set(saved.peak));
    ALLOCATIONS.with(|c| c.set(saved.allocations));
}

/// Runs `f` as a fresh SBF invocation whose heap already holds `start` (what the entrypoint
/// allocated before the program's code), and returns what the frame used in all.
pub fn measure<R>(start: HeapUsage, f: impl FnOnce() -> R) -> (R, HeapUsage) {
    let outer = save();
    BUMP_USED.with(|c| c.set(start.bump_bytes));
    LIVE.with(|c| c.set(start.peak_live_bytes));
    PEAK_LIVE.with(|c| c.set(start.peak_live_bytes));
    ALLOCATIONS.with(|c| c.set(start.allocations));
    ACTIVE.with(|c| c.set(true));
    let result = f();
    ACTIVE.with(|c| c.set(false));
    let usage = HeapUsage {
        bump_bytes: BUMP_USED.with(Cell::get),
        peak_live_bytes: PEAK_LIVE.with(Cell::get),
        allocations: ALLOCATIONS.with(Cell::get),
    };
    restore(&outer);
    (result, usage)
}

/// Runs `f` unmeasured (the runtime's side of a syscall).
pub fn unmeasured<R>(f: impl FnOnce() -> R) -> R {
    let was = active();
    ACTIVE.with(|c| c.set(false));
    let result = f();
    ACTIVE.with(|c| c.set(was));
    result
}

/// The measured invocations of the treasury on this thread since the last call, in order.
pub fn take_records() -> Vec<HeapUsage> {
    RECORDS.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

// ---------------------------------------------------------------------------------------------
// The entrypoint's share

/// The runtime marks an account already listed with the index of its first occurrence.
const NON_DUP_MARKER: u8 = u8::MAX;

/// The dup pattern of an instruction's accounts, as the SBF input marks it.
fn dup_pattern(accounts: &[AccountInfo]) -> Vec<u8> {
    accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            accounts[..i]
                .iter()
                .position(|b| b.key == a.key)
                .map_or(NON_DUP_MARKER, |first| first as u8)
        })
        .collect()
}

/// An SBF ABI input (accounts with no data) with the given dup pattern, laid out as
/// `solana_program_entrypoint::deserialize` reads it.
fn synthetic_input(pattern: &[u8]) -> Vec<u64> {
    const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&(pattern.len() as u64).to_le_bytes());
    for (i, marker) in pattern.iter().enumerate() {
        bytes.push(*marker);
        if *marker == NON_DUP_MARKER {
            // is_signer, is_writable, executable, original data length (4)
            bytes.extend_from_slice(&[0u8; 7]);
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
            bytes.extend_from_slice(&key);
            bytes.extend_from_slice(&[0u8; 32]); // owner
            bytes.extend_from_slice(&0u64.to_le_bytes()); // lamports
            bytes.extend_from_slice(&0u64.to_le_bytes()); // data length
            bytes.resize(bytes.len() + MAX_PERMITTED_DATA_INCREASE + 8, 0); // realloc room, rent epoch
            bytes.resize(bytes.len().next_multiple_of(8), 0);
        } else {
            bytes.extend_from_slice(&[0u8; 7]);
        }
    }
    bytes.extend_from_slice(&0u64.to_le_bytes()); // instruction data length
    bytes.extend_from_slice(&[0u8; 32]); // program id
    bytes.resize(bytes.len().next_multiple_of(8), 0);
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect()
}

/// What the SBF entrypoint's `deserialize` allocates for these accounts, by running it on an
/// input with the same accounts and duplicates (the amounts do not depend on account data).
pub fn entrypoint_usage(accounts: &[AccountInfo]) -> HeapUsage {
    entrypoint_usage_of(dup_pattern(accounts))
}

/// What the SBF entrypoint allocates for `n` distinct accounts.
pub fn entrypoint_usage_distinct(n: usize) -> HeapUsage {
    entrypoint_usage_of(vec![NON_DUP_MARKER; n])
}

fn entrypoint_usage_of(pattern: Vec<u8>) -> HeapUsage {
    if let Some(hit) =
        ENTRYPOINT_CACHE.with(|c| c.borrow().as_ref().and_then(|m| m.get(&pattern).copied()))
    {
        return hit;
    }
    let mut input = synthetic_input(&pattern);
    // The account infos are dropped after the measurement: the program holds them for the
    // whole call.
    let (infos, usage) = measure(HeapUsage::default(), || {
        // SAFETY: the buffer is laid out as the runtime lays out an SBF input.
        let (_, infos, _) =
            unsafe { solana_program_entrypoint::deserialize(input.as_mut_ptr() as *mut u8) };
        infos
    });
    drop(infos);
    ENTRYPOINT_CACHE.with(|c| {
        c.borrow_mut()
            .get_or_insert_with(HashMap::new)
            .insert(pattern, usage)
    });
    usage
}

// ---------------------------------------------------------------------------------------------
// The treasury's entry, measured

static TREASURY_ENTRY: OnceLock<NativeEntry> = OnceLock::new();

/// The treasury's native entry (from the validator's `programs()`), measured per invocation.
pub fn metered_treasury_entry(inner: NativeEntry) -> NativeEntry {
    let _ = TREASURY_ENTRY.set(inner);
    metered_treasury
}

fn metered_treasury(program_id: &Address, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let Some(entry) = TREASURY_ENTRY.get().copied() else {
        return Err(ashao_local_validator::native::ProgramError::UnsupportedSysvar);
    };
    let start = entrypoint_usage(accounts);
    let (result, usage) = measure(start, || entry(program_id, accounts, data));
    RECORDS.with(|r| r.borrow_mut().push(usage));
    result
}

// ---------------------------------------------------------------------------------------------
// Syscall stubs: the runtime's side is not the program's heap

struct MeteredStubs(Box<dyn SyscallStubs>);

impl SyscallStubs for MeteredStubs {
    fn sol_log(&self, message: &str) {
        unmeasured(|| self.0.sol_log(message))
    }
    fn sol_log_compute_units(&self) {
        unmeasured(|| self.0.sol_log_compute_units())
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        unmeasured(|| self.0.sol_remaining_compute_units())
    }
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        unmeasured(|| {
            self.0
                .sol_invoke_signed(instruction, account_infos, signers_seeds)
        })
    }
    fn sol_get_sysvar(
        &self,
        sysvar_id_addr: *const u8,
        var_addr: *mut u8,
        offset: u64,
        length: u64,
    ) -> u64 {
        unmeasured(|| {
            self.0
                .sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
        })
    }
    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        unmeasured(|| self.0.sol_get_clock_sysvar(var_addr))
    }
    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        unmeasured(|| self.0.sol_get_epoch_schedule_sysvar(var_addr))
    }
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        unmeasured(|| self.0.sol_get_fees_sysvar(var_addr))
    }
    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        unmeasured(|| self.0.sol_get_rent_sysvar(var_addr))
    }
    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        unmeasured(|| self.0.sol_get_epoch_rewards_sysvar(var_addr))
    }
    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        unmeasured(|| self.0.sol_get_last_restart_slot(var_addr))
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        unmeasured(|| self.0.sol_get_epoch_stake(vote_address))
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: forwarded as received.
        unmeasured(|| unsafe { self.0.sol_memcpy(dst, src, n) })
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: forwarded as received.
        unmeasured(|| unsafe { self.0.sol_memmove(dst, src, n) })
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        // SAFETY: forwarded as received.
        unmeasured(|| unsafe { self.0.sol_memcmp(s1, s2, n, result) })
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        // SAFETY: forwarded as received.
        unmeasured(|| unsafe { self.0.sol_memset(s, c, n) })
    }
    fn sol_get_return_data(&self) -> Option<(Address, Vec<u8>)> {
        unmeasured(|| self.0.sol_get_return_data())
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        unmeasured(|| self.0.sol_set_return_data(data))
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        unmeasured(|| self.0.sol_log_data(fields))
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        unmeasured(|| self.0.sol_get_processed_sibling_instruction(index))
    }
    fn sol_get_stack_height(&self) -> u64 {
        unmeasured(|| self.0.sol_get_stack_height())
    }
}

/// Wraps the validator's syscall stubs (installed once per process when the first native
/// program is registered) so the runtime's work inside a syscall is not measured. Call after the
/// first chain exists; later calls do nothing.
pub fn install_metered_stubs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Replace, then wrap what was replaced: the stubs are a process-wide Box.
        let host = set_syscall_stubs(Box::new(MeteredStubs(Box::new(Placeholder))));
        let _ = set_syscall_stubs(Box::new(MeteredStubs(host)));
        // Rust's stdout buffer is allocated on first use; do it outside any measured frame
        // (`msg!` prints through it on the host).
        let _ = std::io::Write::flush(&mut std::io::stdout());
    });
}

/// Stands in for the stubs during the swap above (no syscall runs then).
struct Placeholder;
impl SyscallStubs for Placeholder {}
