//! The RPC server on ephemeral ports: a few methods, Solana's shapes, and bad requests; hosted
//! programs as upgradeable programs, `localnet_setAccount` and `localnet_setAccounts`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use ashao_local_validator::upgradeable::programdata_address;
use ashao_local_validator::{start, Config};
use base64::prelude::{Engine, BASE64_STANDARD};
use serde_json::{json, Value};
use solana_address::Address;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_message::{Message, VersionedMessage};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

fn post(addr: SocketAddr, body: &str) -> Value {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (_, payload) = response.split_once("\r\n\r\n").expect("http response");
    serde_json::from_str(payload).unwrap_or_else(|e| panic!("bad json {payload:?}: {e}"))
}

fn call(addr: SocketAddr, method: &str, params: Value) -> Value {
    post(
        addr,
        &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_answers_and_rejects_bad_requests() {
    let running = start(Config::ephemeral(Address::new_unique()))
        .await
        .expect("start");
    assert!(running
        .ready_line()
        .contains("programs=ashao_treasury:native"));
    let addr = running.rpc_addr;

    let result = tokio::task::spawn_blocking(move || {
        let health = call(addr, "getHealth", json!([]));
        assert_eq!(health["result"], "ok");

        let blockhash = call(
            addr,
            "getLatestBlockhash",
            json!([{"commitment": "confirmed"}]),
        );
        assert!(blockhash["result"]["context"]["slot"].as_u64().is_some());
        assert!(blockhash["result"]["value"]["blockhash"].is_string());
        assert!(blockhash["result"]["value"]["lastValidBlockHeight"]
            .as_u64()
            .is_some());

        let who = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";
        let sig = call(addr, "requestAirdrop", json!([who, 2_000_000_000u64]));
        let sig = sig["result"]
            .as_str()
            .expect("airdrop signature")
            .to_string();
        let balance = call(addr, "getBalance", json!([who]));
        assert_eq!(balance["result"]["value"], 2_000_000_000u64);
        let statuses = call(
            addr,
            "getSignatureStatuses",
            json!([[sig], {"searchTransactionHistory": true}]),
        );
        assert_eq!(
            statuses["result"]["value"][0]["confirmationStatus"],
            "finalized"
        );
        assert_eq!(statuses["result"]["value"][0]["err"], Value::Null);
        let tx = call(
            addr,
            "getTransaction",
            json!([sig, {"encoding": "json", "maxSupportedTransactionVersion": 0}]),
        );
        assert_eq!(tx["result"]["meta"]["err"], Value::Null);
        assert_eq!(tx["result"]["meta"]["fee"], 5000);
        assert!(tx["result"]["blockTime"].as_i64().is_some());

        let account = call(addr, "getAccountInfo", json!([who, {"encoding": "base64"}]));
        assert_eq!(
            account["result"]["value"]["owner"],
            "11111111111111111111111111111111"
        );
        assert_eq!(account["result"]["value"]["data"], json!(["", "base64"]));

        let before = call(addr, "getSlot", json!([]))["result"].as_u64().unwrap();
        let advanced = call(addr, "localnet_advanceClock", json!([{"seconds": 60}]));
        assert!(advanced["result"]["slot"].as_u64().unwrap() >= before + 60 * 1000 / 50);
        assert!(advanced["result"]["unixTimestamp"].as_i64().is_some());
        let stale = call(
            addr,
            "isBlockhashValid",
            json!([blockhash["result"]["value"]["blockhash"]]),
        );
        assert_eq!(stale["result"]["value"], false);

        // Errors, never a crash.
        assert_eq!(
            call(addr, "noSuchMethod", json!([]))["error"]["code"],
            -32601
        );
        assert_eq!(
            call(addr, "getBalance", json!([42]))["error"]["code"],
            -32602
        );
        assert_eq!(
            call(addr, "getBalance", json!(["not-a-pubkey"]))["error"]["code"],
            -32602
        );
        assert_eq!(
            call(addr, "sendTransaction", json!(["%%%"]))["error"]["code"],
            -32602
        );
        assert_eq!(post(addr, "{not json")["error"]["code"], -32700);
        assert_eq!(call(addr, "getHealth", json!([]))["result"], "ok");
    })
    .await;
    running.stop().await;
    result.expect("checks");
}

fn account_data(account: &Value) -> Vec<u8> {
    assert_eq!(account["data"][1], "base64", "{account}");
    BASE64_STANDARD
        .decode(account["data"][0].as_str().expect("base64 data"))
        .expect("base64")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_are_upgradeable_and_data_accounts_can_be_set() {
    let authority = Address::new_unique();
    let running = start(Config::ephemeral(authority)).await.expect("start");
    assert!(running
        .ready_line()
        .ends_with(&format!(" upgrade_authority={authority}")));
    let addr = running.rpc_addr;

    let result = tokio::task::spawn_blocking(move || {
        let loader = "BPFLoaderUpgradeab1e11111111111111111111111";
        let treasury = ashao_treasury::ID;
        let programdata = programdata_address(&treasury);

        let program = call(
            addr,
            "getAccountInfo",
            json!([treasury.to_string(), {"encoding": "base64"}]),
        );
        let program = &program["result"]["value"];
        assert_eq!(program["owner"], loader);
        assert_eq!(program["executable"], true);
        let state: UpgradeableLoaderState = bincode::deserialize(&account_data(program)).unwrap();
        assert_eq!(
            state,
            UpgradeableLoaderState::Program {
                programdata_address: programdata
            }
        );
        let header = call(
            addr,
            "getAccountInfo",
            json!([programdata.to_string(), {"encoding": "base64"}]),
        );
        let header = &header["result"]["value"];
        assert_eq!(header["owner"], loader);
        assert_eq!(header["executable"], false);
        let data = account_data(header);
        assert_eq!(
            data.len(),
            UpgradeableLoaderState::size_of_programdata_metadata()
        );
        assert!(matches!(
            bincode::deserialize(&data).unwrap(),
            UpgradeableLoaderState::ProgramData {
                upgrade_authority_address: Some(a),
                ..
            } if a == authority
        ));

        // The treasury still runs natively: an unknown instruction gets Anchor's
        // InstructionFallbackNotFound (101), where the real loader would find no SBF program.
        let payer = Keypair::new();
        call(
            addr,
            "requestAirdrop",
            json!([payer.pubkey().to_string(), 1_000_000_000u64]),
        );
        let blockhash = call(addr, "getLatestBlockhash", json!([]));
        let blockhash: Hash = blockhash["result"]["value"]["blockhash"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let unknown = Instruction {
            program_id: treasury,
            accounts: Vec::new(),
            data: vec![0; 8],
        };
        let message = Message::new_with_blockhash(&[unknown], Some(&payer.pubkey()), &blockhash);
        let tx =
            VersionedTransaction::try_new(VersionedMessage::Legacy(message), &[&payer]).unwrap();
        let sent = call(
            addr,
            "sendTransaction",
            json!([
                BASE64_STANDARD.encode(bincode::serialize(&tx).unwrap()),
                {"encoding": "base64"}
            ]),
        );
        assert_eq!(
            sent["error"]["data"]["err"],
            json!({"InstructionError": [0, {"Custom": 101}]}),
            "{sent}"
        );

        // localnet_setAccount writes a data account of a program that is not deployed here.
        let pyth_receiver = "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ";
        let price = Address::new_unique().to_string();
        let set = |data: &[u8], lamports: u64| {
            call(
                addr,
                "localnet_setAccount",
                json!([{
                    "pubkey": price,
                    "lamports": lamports,
                    "data": BASE64_STANDARD.encode(data),
                    "owner": pyth_receiver,
                }]),
            )
        };
        let before = call(addr, "getSlot", json!([]))["result"].as_u64().unwrap();
        let written = set(&[7; 134], 2_000_000);
        assert!(
            written["result"]["slot"].as_u64().unwrap() >= before,
            "{written}"
        );
        let overwritten = set(&[9; 100], 3_000_000);
        assert!(
            overwritten["result"]["slot"].as_u64().is_some(),
            "{overwritten}"
        );
        let read = call(
            addr,
            "getAccountInfo",
            json!([price, {"encoding": "base64"}]),
        );
        let read = &read["result"]["value"];
        assert_eq!(read["owner"], pyth_receiver);
        assert_eq!(read["lamports"], 3_000_000u64);
        assert_eq!(read["executable"], false);
        assert_eq!(account_data(read), vec![9; 100]);

        // Programs, ProgramData, program state, loaders and sysvars are refused.
        let refused = |pubkey: &str, owner: &str, data: &str, executable: bool, why: &str| {
            let reply = call(
                addr,
                "localnet_setAccount",
                json!([{
                    "pubkey": pubkey,
                    "lamports": 1_000_000u64,
                    "data": data,
                    "owner": owner,
                    "executable": executable,
                }]),
            );
            assert_eq!(reply["error"]["code"], -32602, "{reply}");
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(message.contains(why), "{message} does not say {why}");
        };
        let system = "11111111111111111111111111111111";
        let fresh = Address::new_unique().to_string();
        let (treasury, programdata) = (treasury.to_string(), programdata.to_string());
        refused(
            &treasury,
            system,
            "",
            false,
            "hosted program ashao_treasury",
        );
        refused(
            &fresh,
            &treasury,
            "",
            false,
            "hosted program ashao_treasury",
        );
        refused(&programdata, system, "", false, "program loader");
        refused(&fresh, loader, "", false, "program loader");
        let clock = "SysvarC1ock11111111111111111111111111111111";
        refused(clock, system, "", false, "sysvar");
        refused(
            &fresh,
            "Sysvar1111111111111111111111111111111111111",
            "",
            false,
            "sysvar",
        );
        refused(&fresh, pyth_receiver, "", true, "executable");
        refused(&fresh, pyth_receiver, "%%%", false, "base64");
        let spl_token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
        refused(spl_token, system, "", false, "is a program");
        let missing_owner = call(addr, "localnet_setAccount", json!([{"pubkey": fresh}]));
        assert_eq!(missing_owner["error"]["code"], -32602, "{missing_owner}");
    })
    .await;
    running.stop().await;
    result.expect("checks");
}

/// `localnet_setAccounts` [{"accounts": [...]}] on a validator started with or without
/// `allow_program_state_writes`; returns each call's reply.
async fn set_accounts_on(allow_program_state_writes: bool, calls: Vec<Value>) -> Vec<Value> {
    let running = start(Config {
        allow_program_state_writes,
        ..Config::ephemeral(Address::new_unique())
    })
    .await
    .expect("start");
    let addr = running.rpc_addr;
    let replies = tokio::task::spawn_blocking(move || {
        calls
            .into_iter()
            .map(|c| match c["method"].as_str() {
                Some(method) => call(addr, method, c["params"].clone()),
                None => call(addr, "localnet_setAccounts", json!([{"accounts": c}])),
            })
            .collect::<Vec<_>>()
    })
    .await;
    running.stop().await;
    replies.expect("calls")
}

fn data_account(pubkey: &Address, owner: &Address, data: &[u8]) -> Value {
    json!({
        "pubkey": pubkey.to_string(),
        "lamports": 1_000_000u64,
        "data": BASE64_STANDARD.encode(data),
        "owner": owner.to_string(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_accounts_writes_many_at_once_and_program_state_only_when_allowed() {
    let treasury = ashao_treasury::ID;
    let receiver = Address::new_unique();
    let plain: Vec<Address> = (0..300).map(|_| Address::new_unique()).collect();
    let state = Address::new_unique();
    let batch: Vec<Value> = plain
        .iter()
        .map(|a| data_account(a, &receiver, &[1, 2, 3]))
        .collect();
    let read = |a: &Address| json!({"method": "getAccountInfo", "params": [a.to_string(), {"encoding": "base64"}]});

    // Without the flag: data accounts of other owners are written in one call; a batch naming
    // the treasury's state is refused whole, with the position of the account refused.
    let other = Address::new_unique();
    let mut with_state = vec![data_account(&other, &receiver, &[4])];
    with_state.push(data_account(&state, &treasury, &[5; 16]));
    let replies = set_accounts_on(
        false,
        vec![
            Value::Array(batch.clone()),
            read(&plain[299]),
            Value::Array(with_state.clone()),
            read(&state),
            read(&other),
        ],
    )
    .await;
    assert!(
        replies[0]["result"]["slot"].as_u64().is_some(),
        "{}",
        replies[0]
    );
    assert_eq!(account_data(&replies[1]["result"]["value"]), vec![1, 2, 3]);
    assert_eq!(replies[2]["error"]["code"], -32602, "{}", replies[2]);
    let message = replies[2]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("accounts[1]") && message.contains("hosted program ashao_treasury"),
        "{message}"
    );
    assert_eq!(
        replies[3]["result"]["value"],
        Value::Null,
        "nothing written"
    );
    assert_eq!(
        replies[4]["result"]["value"],
        Value::Null,
        "nothing written"
    );

    // With the flag: the treasury's data accounts too; programs, ProgramData, sysvars and
    // executables never.
    let programdata = programdata_address(&treasury);
    let system = Address::default();
    let clock = solana_address::address!("SysvarC1ock11111111111111111111111111111111");
    let mut executable = data_account(&Address::new_unique(), &receiver, &[]);
    executable["executable"] = json!(true);
    let replies = set_accounts_on(
        true,
        vec![
            Value::Array(with_state),
            read(&state),
            json!([data_account(&treasury, &system, &[])]),
            json!([data_account(&programdata, &treasury, &[])]),
            json!([data_account(&clock, &system, &[])]),
            json!([executable]),
        ],
    )
    .await;
    assert!(
        replies[0]["result"]["slot"].as_u64().is_some(),
        "{}",
        replies[0]
    );
    assert_eq!(replies[1]["result"]["value"]["owner"], treasury.to_string());
    assert_eq!(account_data(&replies[1]["result"]["value"]), vec![5; 16]);
    for (reply, why) in replies[2..].iter().zip([
        "hosted program ashao_treasury",
        "program loader",
        "sysvar",
        "executable",
    ]) {
        assert_eq!(reply["error"]["code"], -32602, "{reply}");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.contains(why), "{message} does not say {why}");
    }
}
