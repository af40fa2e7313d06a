//! The RPC server on ephemeral ports: a few methods, Solana's shapes, and bad requests.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use ashao_local_validator::{start, Config};
use serde_json::{json, Value};

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
    let running = start(Config {
        bind: "127.0.0.1".parse().unwrap(),
        rpc_port: 0,
        ws_port: 0,
        slot_ms: 50,
        deploy_dir: "/nonexistent".into(),
    })
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
