//! PubSub on ephemeral ports, through a minimal websocket client (text frames only): slot,
//! account, logs and signature notifications in Solana's shapes, including a signature
//! subscription made after the transaction landed; accounts written by `localnet_setAccount`
//! notified like those a transaction writes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use ashao_local_validator::{start, Config};
use serde_json::{json, Value};
use solana_address::Address;

struct Ws {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    /// Messages read while waiting for another one (notifications of separate subscriptions
    /// may arrive in any order).
    unread: Vec<Value>,
}

impl Ws {
    fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect ws");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let request = format!(
            "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        writer.write_all(request.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.contains(" 101 "), "handshake: {status}");
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
        }
        Self {
            reader,
            writer,
            unread: Vec::new(),
        }
    }

    fn send(&mut self, value: &Value) {
        let payload = value.to_string().into_bytes();
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= u16::MAX as usize => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.writer.write_all(&frame).unwrap();
    }

    /// The next text message (pings and other control frames are skipped).
    fn recv(&mut self) -> Value {
        loop {
            let mut head = [0u8; 2];
            self.reader.read_exact(&mut head).expect("ws frame");
            let opcode = head[0] & 0x0f;
            let len = match head[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.reader.read_exact(&mut b).unwrap();
                    u16::from_be_bytes(b) as usize
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.reader.read_exact(&mut b).unwrap();
                    u64::from_be_bytes(b) as usize
                }
                n => n as usize,
            };
            let mut payload = vec![0u8; len];
            self.reader.read_exact(&mut payload).unwrap();
            if opcode == 1 {
                return serde_json::from_slice(&payload).expect("json message");
            }
        }
    }

    /// The first message, unread or new, that `pred` accepts; others are kept for later.
    fn take(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unread.iter().position(&pred) {
            return self.unread.remove(i);
        }
        loop {
            let message = self.recv();
            if pred(&message) {
                return message;
            }
            self.unread.push(message);
        }
    }

    fn reply(&mut self, id: u64) -> Value {
        self.take(|m| m["id"] == id)
    }

    /// Subscribes and returns the numeric subscription id.
    fn subscribe(&mut self, id: u64, method: &str, params: Value) -> u64 {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let reply = self.reply(id);
        reply["result"]
            .as_u64()
            .unwrap_or_else(|| panic!("numeric subscription id: {reply}"))
    }

    fn notification(&mut self, method: &str) -> Value {
        self.take(|m| m["method"] == method)
    }
}

fn call(addr: SocketAddr, method: &str, params: Value) -> Value {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pubsub_notifies_in_solana_shapes() {
    let running = start(Config::ephemeral(Address::new_unique()))
        .await
        .expect("start");
    let (rpc, ws) = (running.rpc_addr, running.ws_addr);

    let result = tokio::task::spawn_blocking(move || {
        let mut ws = Ws::connect(ws);
        let who = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";

        let slot_sub = ws.subscribe(1, "slotSubscribe", json!([]));
        let slot = ws.notification("slotNotification");
        assert_eq!(slot["params"]["subscription"], slot_sub);
        assert!(slot["params"]["result"]["slot"].as_u64().is_some());
        assert!(slot["params"]["result"]["parent"].as_u64().is_some());
        ws.send(
            &json!({"jsonrpc": "2.0", "id": 2, "method": "slotUnsubscribe", "params": [slot_sub]}),
        );

        let account_sub = ws.subscribe(
            3,
            "accountSubscribe",
            json!([who, {"encoding": "base64", "commitment": "confirmed"}]),
        );
        let logs_sub = ws.subscribe(4, "logsSubscribe", json!([{"mentions": [who]}]));

        let sig = call(rpc, "requestAirdrop", json!([who, 1_000_000_000u64]));
        let sig = sig["result"].as_str().expect("signature").to_string();

        let account = ws.notification("accountNotification");
        assert_eq!(account["params"]["subscription"], account_sub);
        let value = &account["params"]["result"]["value"];
        assert_eq!(value["lamports"], 1_000_000_000u64);
        assert_eq!(value["owner"], "11111111111111111111111111111111");
        assert_eq!(value["data"], json!(["", "base64"]));
        assert!(account["params"]["result"]["context"]["slot"]
            .as_u64()
            .is_some());

        let logs = ws.notification("logsNotification");
        assert_eq!(logs["params"]["subscription"], logs_sub);
        assert_eq!(logs["params"]["result"]["value"]["signature"], sig);
        assert_eq!(logs["params"]["result"]["value"]["err"], Value::Null);
        assert!(logs["params"]["result"]["value"]["logs"]
            .as_array()
            .is_some_and(|l| !l.is_empty()));

        // Subscribed after the transaction landed: notified at once, exactly once.
        let sig_sub = ws.subscribe(
            5,
            "signatureSubscribe",
            json!([sig, {"commitment": "confirmed"}]),
        );
        let done = ws.notification("signatureNotification");
        assert_eq!(done["params"]["subscription"], sig_sub);
        assert_eq!(done["params"]["result"]["value"], json!({"err": null}));

        // Bad parameters are refused with a JSON-RPC error; the connection keeps serving.
        ws.send(
            &json!({"jsonrpc": "2.0", "id": 6, "method": "accountSubscribe", "params": ["nope"]}),
        );
        let refused = ws.reply(6);
        assert_eq!(refused["error"]["code"], -32602, "{refused}");
        let again = ws.subscribe(7, "rootSubscribe", json!([]));
        assert!(again > sig_sub);
    })
    .await;
    running.stop().await;
    result.expect("checks");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_account_notifies_account_and_program_subscribers() {
    let running = start(Config::ephemeral(Address::new_unique()))
        .await
        .expect("start");
    let (rpc, ws) = (running.rpc_addr, running.ws_addr);

    let result = tokio::task::spawn_blocking(move || {
        let mut ws = Ws::connect(ws);
        let owner = "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ";
        let price = Address::new_unique().to_string();
        let account_sub = ws.subscribe(
            1,
            "accountSubscribe",
            json!([price, {"encoding": "base64"}]),
        );
        let program_sub = ws.subscribe(
            2,
            "programSubscribe",
            json!([owner, {"encoding": "base64", "filters": [{"dataSize": 3}]}]),
        );

        let set = call(
            rpc,
            "localnet_setAccount",
            json!([{"pubkey": price, "lamports": 1_000_000u64, "data": "AQID", "owner": owner}]),
        );
        let slot = set["result"]["slot"].as_u64().expect("slot");

        let account = ws.notification("accountNotification");
        assert_eq!(account["params"]["subscription"], account_sub);
        assert_eq!(account["params"]["result"]["context"]["slot"], slot);
        let value = &account["params"]["result"]["value"];
        assert_eq!(value["owner"], owner);
        assert_eq!(value["lamports"], 1_000_000u64);
        assert_eq!(value["data"], json!(["AQID", "base64"]));

        let program = ws.notification("programNotification");
        assert_eq!(program["params"]["subscription"], program_sub);
        let keyed = &program["params"]["result"]["value"];
        assert_eq!(keyed["pubkey"], price);
        assert_eq!(keyed["account"]["data"], json!(["AQID", "base64"]));
    })
    .await;
    running.stop().await;
    result.expect("checks");
}
