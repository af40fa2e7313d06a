//! Host-compiled ("native") programs hosted on LiteSVM.
//!
//! When the runtime invokes a native program, the glue serialises the instruction with the SBF
//! ABI, deserialises it into `AccountInfo`s, calls the program's entry function and writes
//! lamports, owner and data of writable accounts back. The program's syscalls go through
//! `solana_sysvar::program_stubs` (v3, the version anchor-lang 1.2.2 and `solana-invoke` call on
//! the host), which this module implements against the runtime's `InvokeContext`: CPI (with PDA
//! signatures checked by the runtime), sysvars, stack height, return data and logging. `msg!`
//! output on stdout is captured (see [`crate::capture`]).
//!
//! How the runtime gets there: a native program's id has a builtin entry in LiteSVM's program
//! cache, while its account is owned by the BPF Upgradeable Loader as on mainnet (see
//! [`crate::upgradeable`]). The runtime picks the code to run by the program account's owner:
//! for a loader-owned program it runs the loader's builtin (agave's
//! `InvokeContext::process_executable_chain`), and the real loader runs only SBF cache entries.
//! So the upgradeable loader's own cache entry is [`UpgradeableLoaderDispatch`]: a program whose
//! cache entry is a builtin runs natively, everything else (SBF programs, the loader's management
//! instructions) goes to the real loader.
//!
//! The runtime itself writes the `Program X invoke [n]` / `success` / `failed: …` lines for
//! builtins; the glue adds what the BPF loader would: `consumed … compute units` and
//! `Program return: …`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Once, RwLock};

use litesvm::LiteSVM;
pub use solana_account_info::AccountInfo;
pub use solana_address::Address;
use solana_instruction::{AccountMeta, Instruction};
use solana_instruction_error::InstructionError;
pub use solana_program_error::{ProgramError, ProgramResult};
use solana_program_runtime::invoke_context::{BuiltinFunctionRegisterer, InvokeContext};
use solana_program_runtime::program_cache_entry::ProgramCacheEntryType;
use solana_program_runtime::serialization::serialize_parameters;
use solana_program_runtime::solana_sbpf::program::BuiltinFunctionDefinition;
use solana_program_runtime::solana_sbpf::vm::ContextObject;
use solana_program_runtime::stable_log;
use solana_sdk_ids::bpf_loader_upgradeable;
use solana_svm_log_collector::ic_msg;

use crate::capture;

/// Entry point of a host-compiled program, in `solana-program` style.
pub type NativeEntry = fn(&Address, &[AccountInfo], &[u8]) -> ProgramResult;

/// Compute units a native instruction costs (native code is not metered).
pub const NATIVE_INSTRUCTION_COST: u64 = 1_000;

/// Wraps an entry function (Anchor's `entry` or a `solana-program` style processor) into a
/// [`NativeEntry`].
///
/// Anchor's `entry<'info>(&Pubkey, &'info [AccountInfo<'info>], &[u8]) -> anchor_lang::Result<()>`
/// ties the slice and account lifetimes together, which a plain fn pointer cannot express; the
/// accounts outlive the call, so the lifetime is widened here.
#[macro_export]
macro_rules! native_entry {
    ($entry:path) => {{
        fn __native_entry(
            program_id: &$crate::native::Address,
            accounts: &[$crate::native::AccountInfo],
            data: &[u8],
        ) -> $crate::native::ProgramResult {
            // SAFETY: only lifetimes change; the accounts live for the whole call.
            let accounts: &[$crate::native::AccountInfo<'_>] =
                unsafe { ::core::mem::transmute(accounts) };
            $entry(program_id, accounts, data)
                .map_err(::core::convert::Into::<$crate::native::ProgramError>::into)
        }
        __native_entry as $crate::native::NativeEntry
    }};
}

static ENTRIES: RwLock<Option<HashMap<Address, NativeEntry>>> = RwLock::new(None);

fn lookup_entry(program_id: &Address) -> Option<NativeEntry> {
    ENTRIES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|m| m.get(program_id).copied())
}

/// Registers a native program with the VM: its entry in the process-wide table, a builtin entry
/// for its id in the program cache (what marks it as native for [`UpgradeableLoaderDispatch`]),
/// and that dispatch in place of the upgradeable loader. `add_builtin` also writes a program
/// account owned by the native loader; [`crate::upgradeable::deploy_native`] replaces it with
/// the upgradeable loader's accounts.
pub fn add_native_program(svm: &mut LiteSVM, program_id: Address, entry: NativeEntry) {
    install();
    ENTRIES
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(program_id, entry);
    install_upgradeable_loader_dispatch(svm);
    svm.add_builtin(program_id, NativeDispatcher::vm_register());
}

/// Puts [`UpgradeableLoaderDispatch`] in the upgradeable loader's program cache entry (again,
/// harmlessly, for each native program). `add_builtin` would also replace the loader's account
/// with a placeholder, so the account LiteSVM's genesis wrote is put back.
fn install_upgradeable_loader_dispatch(svm: &mut LiteSVM) {
    let loader_account = svm.get_account(&bpf_loader_upgradeable::id());
    svm.add_builtin(
        bpf_loader_upgradeable::id(),
        UpgradeableLoaderDispatch::vm_register(),
    );
    if let Some(account) = loader_account {
        svm.set_account_no_checks(bpf_loader_upgradeable::id(), account.into());
    }
}

// ---------------------------------------------------------------------------------------------
// Per-thread execution state

thread_local! {
    static INVOKE_CONTEXT: RefCell<Option<usize>> = const { RefCell::new(None) };
    /// One entry per native frame: the first failed CPI of that frame. A failed CPI aborts the
    /// whole instruction on SBF; the glue reports that error whatever the program returns.
    static CPI_ERRORS: RefCell<Vec<Option<InstructionError>>> = const { RefCell::new(Vec::new()) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn set_invoke_context(ic: &mut InvokeContext) {
    let ptr = ic as *mut InvokeContext as *mut u8 as usize;
    INVOKE_CONTEXT.with(|c| *c.borrow_mut() = Some(ptr));
}

fn try_invoke_context<'a>() -> Option<&'a mut InvokeContext<'static, 'static>> {
    let ptr = INVOKE_CONTEXT.with(|c| *c.borrow())?;
    // SAFETY: the pointer is set by the glue for the duration of a native call on this thread;
    // stubs are only reachable from inside that call.
    Some(unsafe { &mut *(std::ptr::with_exposed_provenance_mut::<InvokeContext>(ptr)) })
}

fn invoke_context<'a>() -> &'a mut InvokeContext<'static, 'static> {
    try_invoke_context().expect("a syscall stub ran outside a native program")
}

fn in_native_frame() -> bool {
    CPI_ERRORS.with(|c| !c.borrow().is_empty())
}

fn record_cpi_error(err: InstructionError) {
    CPI_ERRORS.with(|c| {
        if let Some(slot) = c.borrow_mut().last_mut() {
            if slot.is_none() {
                *slot = Some(err);
            }
        }
    });
}

/// Moves captured stdout lines into the transaction log as `Program log: …`.
fn flush_captured(ic: &InvokeContext) {
    for line in capture::drain() {
        ic_msg!(ic, "Program log: {}", line);
    }
}

fn program_error_from(err: &InstructionError) -> ProgramError {
    ProgramError::try_from(err.clone()).unwrap_or(ProgramError::Custom(u32::MAX))
}

// ---------------------------------------------------------------------------------------------
// The builtin

solana_program_runtime::declare_process_instruction!(
    NativeDispatcher,
    NATIVE_INSTRUCTION_COST,
    |invoke_context| { process_native_instruction(invoke_context) }
);

impl NativeDispatcher {
    fn vm_register() -> BuiltinFunctionRegisterer {
        <Self as BuiltinFunctionDefinition<InvokeContext<'static, 'static>>>::register
    }
}

solana_program_runtime::solana_sbpf::declare_builtin_function!(
    /// The upgradeable loader as the runtime sees it: a program owned by the loader whose cache
    /// entry is a builtin (a native program) runs through [`NativeDispatcher`]; anything else
    /// goes to the real loader unchanged, errors included.
    UpgradeableLoaderDispatch,
    fn rust(
        invoke_context: &mut InvokeContext<'static, 'static>,
        arg0: u64,
        arg1: u64,
        arg2: u64,
        arg3: u64,
        arg4: u64,
    ) -> Result<u64, Box<dyn std::error::Error>> {
        if invokes_native_program(invoke_context)? {
            <NativeDispatcher as BuiltinFunctionDefinition<InvokeContext>>::rust(
                invoke_context,
                arg0,
                arg1,
                arg2,
                arg3,
                arg4,
            )
        } else {
            <solana_bpf_loader_program::Entrypoint as BuiltinFunctionDefinition<
                InvokeContext<'static, 'static>,
            >>::rust(invoke_context, arg0, arg1, arg2, arg3, arg4)
        }
    }
);

impl UpgradeableLoaderDispatch {
    fn vm_register() -> BuiltinFunctionRegisterer {
        <Self as BuiltinFunctionDefinition<InvokeContext<'static, 'static>>>::register
    }
}

/// Whether the current instruction runs a native program: the loader dispatch is reached for
/// programs owned by the loader, and for the loader's own management instructions (whose
/// program is the loader itself, owned by the native loader).
fn invokes_native_program(ic: &InvokeContext) -> Result<bool, InstructionError> {
    let instruction = ic.transaction_context.get_current_instruction_context()?;
    if !bpf_loader_upgradeable::check_id(&instruction.get_program_owner()?) {
        return Ok(false);
    }
    let program_id = instruction.get_program_key()?;
    Ok(ic
        .program_cache_for_tx_batch
        .find(program_id)
        .is_some_and(|entry| matches!(entry.program, ProgramCacheEntryType::Builtin(_))))
}

fn process_native_instruction(ic: &mut InvokeContext) -> Result<(), InstructionError> {
    let program_id = *ic
        .transaction_context
        .get_current_instruction_context()?
        .get_program_key()?;
    let entry = lookup_entry(&program_id).ok_or(InstructionError::UnsupportedProgramId)?;
    let budget_at_start = ic.get_remaining() + NATIVE_INSTRUCTION_COST;

    set_invoke_context(ic);
    CPI_ERRORS.with(|c| c.borrow_mut().push(None));
    capture::begin();

    let result = run_entry(ic, entry);

    for line in capture::end() {
        ic_msg!(ic, "Program log: {}", line);
    }
    let cpi_error = CPI_ERRORS.with(|c| c.borrow_mut().pop()).flatten();
    // Nested native calls re-set the pointer to the same context; keep it valid for the caller.
    set_invoke_context(ic);

    let result = match (result, cpi_error) {
        (_, Some(err)) => Err(err),
        (r, None) => r,
    };
    let consumed = budget_at_start.saturating_sub(ic.get_remaining());
    ic_msg!(
        ic,
        "Program {} consumed {} of {} compute units",
        program_id,
        consumed,
        budget_at_start
    );
    if result.is_ok() {
        let (return_program, data) = ic.transaction_context.get_return_data();
        if *return_program == program_id && !data.is_empty() {
            stable_log::program_return(&ic.get_log_collector(), &program_id, data);
        }
    }
    result
}

fn run_entry(ic: &mut InvokeContext, entry: NativeEntry) -> Result<(), InstructionError> {
    let instruction_context = ic.transaction_context.get_current_instruction_context()?;
    let (mut parameter_bytes, _regions, _metadata, _offset) =
        serialize_parameters(&instruction_context, false, false, false)?;

    // SAFETY: the buffer was produced by the runtime's SBF ABI serialiser and outlives the
    // AccountInfos that point into it.
    let (program_id, account_infos, input) = unsafe {
        solana_program_entrypoint::deserialize(parameter_bytes.as_slice_mut().as_mut_ptr())
    };

    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        entry(program_id, &account_infos, input)
    }));
    flush_captured(ic);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(program_error)) => {
            return Err(InstructionError::from(u64::from(program_error)));
        }
        Err(_) => {
            if let Some(message) = PANIC_MESSAGE.with(|m| m.borrow_mut().take()) {
                ic_msg!(ic, "Program log: {}", message);
            }
            return Err(InstructionError::ProgramFailedToComplete);
        }
    }

    // Commit AccountInfo changes back into the instruction's accounts.
    let by_key: HashMap<&Address, &AccountInfo> =
        account_infos.iter().map(|a| (a.key, a)).collect();
    let instruction_context = ic.transaction_context.get_current_instruction_context()?;
    let mut seen = HashSet::new();
    for index in 0..instruction_context.get_number_of_instruction_accounts() {
        let mut account = instruction_context.try_borrow_instruction_account(index)?;
        if !seen.insert(*account.get_key()) || !account.is_writable() {
            continue;
        }
        let Some(info) = by_key.get(account.get_key()) else {
            continue;
        };
        if account.get_lamports() != info.lamports() {
            account.set_lamports(info.lamports())?;
        }
        let data = info
            .try_borrow_data()
            .map_err(|_| InstructionError::AccountBorrowFailed)?;
        if account.get_data() != &data[..] {
            account.set_data_from_slice(&data)?;
        }
        if account.get_owner() != info.owner {
            account.set_owner(info.owner.as_ref())?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Syscall stubs

struct HostStubs;

fn write_sysvar<T: Clone>(
    sysvar: Result<std::sync::Arc<T>, InstructionError>,
    var_addr: *mut u8,
) -> u64 {
    match sysvar {
        Ok(value) => {
            // SAFETY: the caller passes a pointer to a value of the same (repr(C)) sysvar type.
            unsafe { std::ptr::write_unaligned(var_addr as *mut T, T::clone(&value)) };
            solana_program_entrypoint::SUCCESS
        }
        Err(_) => solana_instruction::error::UNSUPPORTED_SYSVAR,
    }
}

impl solana_sysvar::program_stubs::SyscallStubs for HostStubs {
    fn sol_log(&self, message: &str) {
        match try_invoke_context() {
            Some(ic) if in_native_frame() => {
                flush_captured(ic);
                ic_msg!(ic, "Program log: {}", message);
            }
            _ => println!("{message}"),
        }
    }

    fn sol_log_compute_units(&self) {
        let ic = invoke_context();
        flush_captured(ic);
        ic_msg!(
            ic,
            "Program consumption: {} units remaining",
            ic.get_remaining()
        );
    }

    fn sol_remaining_compute_units(&self) -> u64 {
        invoke_context().get_remaining()
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let ic = invoke_context();
        flush_captured(ic);
        let fail = |err: InstructionError| {
            let program_error = program_error_from(&err);
            record_cpi_error(err);
            Err(program_error)
        };

        // Copy the caller's AccountInfo changes into the runtime's accounts for the callee.
        let mut writable = Vec::new();
        {
            let tc = &ic.transaction_context;
            let caller = match tc.get_current_instruction_context() {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            for meta in &instruction.accounts {
                let Some(index_in_transaction) = tc.find_index_of_account(&meta.pubkey) else {
                    ic_msg!(
                        ic,
                        "Instruction references an unknown account {}",
                        meta.pubkey
                    );
                    return fail(InstructionError::MissingAccount);
                };
                let Some(info_index) = account_infos.iter().position(|a| a.key == &meta.pubkey)
                else {
                    ic_msg!(
                        ic,
                        "Instruction references an unknown account {}",
                        meta.pubkey
                    );
                    return fail(InstructionError::MissingAccount);
                };
                let info = &account_infos[info_index];
                let index_in_caller =
                    match caller.get_index_of_account_in_instruction(index_in_transaction) {
                        Ok(i) => i,
                        Err(e) => return fail(e),
                    };
                let sync = || -> Result<(), InstructionError> {
                    let mut account = caller.try_borrow_instruction_account(index_in_caller)?;
                    if account.get_lamports() != info.lamports() {
                        account.set_lamports(info.lamports())?;
                    }
                    let data = info
                        .try_borrow_data()
                        .map_err(|_| InstructionError::AccountBorrowFailed)?;
                    if account.get_data() != &data[..] {
                        account.set_data_from_slice(&data)?;
                    }
                    if account.get_owner() != info.owner {
                        account.set_owner(info.owner.as_ref())?;
                    }
                    Ok(())
                };
                if let Err(e) = sync() {
                    return fail(e);
                }
                if meta.is_writable {
                    writable.push((index_in_transaction, info_index));
                }
            }
        }

        if let Err(err) = ic.native_invoke_signed(instruction.clone(), signers_seeds) {
            return fail(err);
        }
        set_invoke_context(ic);

        // Copy the callee's changes back into the caller's AccountInfos.
        let tc = &ic.transaction_context;
        let caller = match tc.get_current_instruction_context() {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        for (index_in_transaction, info_index) in writable {
            let info = &account_infos[info_index];
            let copy = || -> Result<(), ProgramError> {
                let index_in_caller = caller
                    .get_index_of_account_in_instruction(index_in_transaction)
                    .map_err(|e| program_error_from(&e))?;
                let account = caller
                    .try_borrow_instruction_account(index_in_caller)
                    .map_err(|e| program_error_from(&e))?;
                **info.try_borrow_mut_lamports()? = account.get_lamports();
                if info.owner != account.get_owner() {
                    info.assign(account.get_owner());
                }
                let new_data = account.get_data();
                if info.data_len() != new_data.len() {
                    info.resize(new_data.len())?;
                }
                info.try_borrow_mut_data()?.copy_from_slice(new_data);
                Ok(())
            };
            copy()?;
        }
        Ok(())
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        let ic = invoke_context();
        write_sysvar(ic.environment_config.sysvar_cache().get_clock(), var_addr)
    }

    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        let ic = invoke_context();
        write_sysvar(
            ic.environment_config.sysvar_cache().get_epoch_schedule(),
            var_addr,
        )
    }

    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        let ic = invoke_context();
        write_sysvar(
            ic.environment_config.sysvar_cache().get_epoch_rewards(),
            var_addr,
        )
    }

    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        let ic = invoke_context();
        write_sysvar(
            ic.environment_config.sysvar_cache().get_last_restart_slot(),
            var_addr,
        )
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        // The program's `Rent` (solana-rent 3) and the runtime's (solana-rent 4) share the
        // repr(C) layout: u64 at 0, 8 bytes of threshold at 8, u8 burn percent at 16.
        let ic = invoke_context();
        match ic
            .environment_config
            .sysvar_cache()
            .sysvar_id_to_buffer(&solana_sdk_ids::sysvar::rent::ID)
        {
            Some(bytes) if bytes.len() >= 17 => {
                // SAFETY: var_addr points to a Rent value (24 bytes, repr(C)).
                unsafe {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), var_addr, 16);
                    std::ptr::copy_nonoverlapping(bytes.as_ptr().add(16), var_addr.add(16), 1);
                }
                solana_program_entrypoint::SUCCESS
            }
            _ => solana_instruction::error::UNSUPPORTED_SYSVAR,
        }
    }

    fn sol_get_sysvar(
        &self,
        sysvar_id_addr: *const u8,
        var_addr: *mut u8,
        offset: u64,
        length: u64,
    ) -> u64 {
        let ic = invoke_context();
        // SAFETY: the caller passes a pointer to a 32-byte address.
        let sysvar_id = unsafe { std::ptr::read_unaligned(sysvar_id_addr as *const Address) };
        let Some(bytes) = ic
            .environment_config
            .sysvar_cache()
            .sysvar_id_to_buffer(&sysvar_id)
        else {
            return solana_instruction::error::UNSUPPORTED_SYSVAR;
        };
        let (Ok(offset), Ok(length)) = (usize::try_from(offset), usize::try_from(length)) else {
            return solana_instruction::error::UNSUPPORTED_SYSVAR;
        };
        match offset.checked_add(length) {
            Some(end) if end <= bytes.len() => {
                // SAFETY: the caller provides `length` writable bytes at var_addr.
                unsafe {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr().add(offset), var_addr, length)
                };
                solana_program_entrypoint::SUCCESS
            }
            _ => solana_instruction::error::UNSUPPORTED_SYSVAR,
        }
    }

    fn sol_get_return_data(&self) -> Option<(Address, Vec<u8>)> {
        let (program_id, data) = invoke_context().transaction_context.get_return_data();
        if data.is_empty() {
            None
        } else {
            Some((*program_id, data.to_vec()))
        }
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        let ic = invoke_context();
        let program_id = match ic
            .transaction_context
            .get_current_instruction_context()
            .and_then(|c| c.get_program_key().copied())
        {
            Ok(id) => id,
            Err(_) => return,
        };
        let _ = ic
            .transaction_context
            .set_return_data(program_id, data.to_vec());
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        let ic = invoke_context();
        flush_captured(ic);
        stable_log::program_data(&ic.get_log_collector(), fields);
    }

    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        let ic = invoke_context();
        let tc = &ic.transaction_context;
        let stack_height = ic.get_stack_height();
        let current_caller = tc
            .get_current_instruction_context()
            .ok()?
            .get_index_of_caller();
        let range = if stack_height == 1 {
            0..tc.next_top_level_instruction_index()
        } else {
            let end = tc.get_instruction_trace_length();
            end.saturating_sub(tc.number_of_cpis_in_trace())..end
        };
        let mut reverse_index = 0usize;
        for index_in_trace in range.rev() {
            let context = tc
                .get_instruction_context_at_index_in_trace(index_in_trace)
                .ok()?;
            if context.get_index_of_caller() != current_caller {
                continue;
            }
            if context.get_stack_height() < stack_height {
                break;
            }
            if context.get_stack_height() == stack_height {
                if index + 1 == reverse_index {
                    let accounts = (0..context.get_number_of_instruction_accounts())
                        .map(|i| {
                            Some(AccountMeta {
                                pubkey: *context.get_key_of_instruction_account(i).ok()?,
                                is_signer: context.is_instruction_account_signer(i).ok()?,
                                is_writable: context.is_instruction_account_writable(i).ok()?,
                            })
                        })
                        .collect::<Option<Vec<_>>>()?;
                    return Some(Instruction {
                        program_id: *context.get_program_key().ok()?,
                        accounts,
                        data: context.get_instruction_data().to_vec(),
                    });
                }
                reverse_index += 1;
            }
        }
        None
    }

    fn sol_get_stack_height(&self) -> u64 {
        invoke_context().get_stack_height() as u64
    }
}

/// Installs the syscall stubs and the panic hook (once per process).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        solana_sysvar::program_stubs::set_syscall_stubs(Box::new(HostStubs));
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if in_native_frame() {
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "Box<dyn Any>".to_string());
                let message = match info.location() {
                    Some(loc) => format!(
                        "panicked at {}:{}:{}:\n{}",
                        loc.file(),
                        loc.line(),
                        loc.column(),
                        payload
                    ),
                    None => format!("panicked:\n{payload}"),
                };
                tracing::warn!("native program {message}");
                PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}
