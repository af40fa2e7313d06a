//! PubSub over websockets, with Solana's subscription methods and notification shapes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::proc_macros::rpc;
use jsonrpsee::types::{ErrorObjectOwned, SubscriptionId};
use jsonrpsee::{
    ConnectionId, Extensions, PendingSubscriptionAcceptError, PendingSubscriptionSink, RpcModule,
    SubscriptionMessage, SubscriptionSink,
};
use serde::Serialize;
use serde_json::json;
use solana_account_decoder::UiAccountEncoding;
use solana_address::Address;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
    RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_rpc_client_api::response::{
    ProcessedSignatureResult, ReceivedSignatureResult, Response, RpcKeyedAccount, RpcLogsResponse,
    RpcResponseContext, RpcSignatureResult,
};
use solana_signature::Signature;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::oneshot;

use crate::chain::{Event, TxEvent};
use crate::rpc::{invalid_params, lock, parse_address, ui_account, SharedChain, INVALID_PARAMS};

/// Subscription ids are small sequential numbers, as on agave (random u64s would not survive
/// JavaScript's number precision).
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl jsonrpsee::core::traits::IdProvider for SequentialIds {
    fn next_id(&self) -> SubscriptionId<'static> {
        SubscriptionId::Num(self.0.fetch_add(1, Ordering::Relaxed))
    }
}

#[rpc(server)]
pub trait SolanaPubSub {
    #[subscription(name = "accountSubscribe" => "accountNotification", unsubscribe = "accountUnsubscribe", item = serde_json::Value)]
    async fn account_subscribe(
        &self,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> SubscriptionResult;

    #[subscription(name = "programSubscribe" => "programNotification", unsubscribe = "programUnsubscribe", item = serde_json::Value)]
    async fn program_subscribe(
        &self,
        program_id: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> SubscriptionResult;

    #[subscription(name = "signatureSubscribe" => "signatureNotification", unsubscribe = "signatureUnsubscribe", item = serde_json::Value)]
    async fn signature_subscribe(
        &self,
        signature: String,
        config: Option<RpcSignatureSubscribeConfig>,
    ) -> SubscriptionResult;

    #[subscription(name = "logsSubscribe" => "logsNotification", unsubscribe = "logsUnsubscribe", item = serde_json::Value)]
    async fn logs_subscribe(
        &self,
        filter: RpcTransactionLogsFilter,
        config: Option<RpcTransactionLogsConfig>,
    ) -> SubscriptionResult;

    #[subscription(name = "slotSubscribe" => "slotNotification", unsubscribe = "slotUnsubscribe", item = serde_json::Value)]
    async fn slot_subscribe(&self) -> SubscriptionResult;

    #[subscription(name = "rootSubscribe" => "rootNotification", unsubscribe = "rootUnsubscribe", item = serde_json::Value)]
    async fn root_subscribe(&self) -> SubscriptionResult;
}

/// A subscription, by its client's connection and its id.
type SubscriptionKey = (ConnectionId, SubscriptionId<'static>);

/// The live subscriptions, each with the way to end it. A subscription is registered before its
/// id is sent to the client (jsonrpsee sends the id first and records the subscription after, so
/// an unsubscribe right after a subscribe could find nothing), and kept after a signature's
/// one-shot notification until the client unsubscribes or goes away, as agave keeps it.
#[derive(Debug, Default)]
pub struct Subscriptions(Mutex<HashMap<SubscriptionKey, oneshot::Sender<()>>>);

impl Subscriptions {
    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<SubscriptionKey, oneshot::Sender<()>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn register(&self, key: SubscriptionKey) -> oneshot::Receiver<()> {
        let (end, ended) = oneshot::channel();
        self.live().insert(key, end);
        ended
    }

    fn forget(&self, key: &SubscriptionKey) {
        self.live().remove(key);
    }

    /// Ends the subscription; false when there is none by that key.
    fn cancel(&self, key: &SubscriptionKey) -> bool {
        match self.live().remove(key) {
            Some(end) => {
                let _ = end.send(());
                true
            }
            None => false,
        }
    }
}

/// A subscription's hold on its registration: it ends when the client unsubscribes.
struct Lifeline {
    subscriptions: Arc<Subscriptions>,
    key: SubscriptionKey,
    ended: oneshot::Receiver<()>,
}

impl Lifeline {
    /// Registers the subscription, then sends the client its id.
    async fn accept(
        subscriptions: &Arc<Subscriptions>,
        pending: PendingSubscriptionSink,
    ) -> Result<(SubscriptionSink, Lifeline), PendingSubscriptionAcceptError> {
        let key = (pending.connection_id(), pending.subscription_id());
        let ended = subscriptions.register(key.clone());
        match pending.accept().await {
            Ok(sink) => Ok((
                sink,
                Lifeline {
                    subscriptions: subscriptions.clone(),
                    key,
                    ended,
                },
            )),
            Err(e) => {
                subscriptions.forget(&key);
                Err(e)
            }
        }
    }

    /// Holds the subscription open, sending nothing more, until it is unsubscribed or its client
    /// goes away.
    async fn hold(mut self, sink: SubscriptionSink) {
        tokio::select! {
            _ = sink.closed() => self.subscriptions.forget(&self.key),
            _ = &mut self.ended => {}
        }
    }
}

pub struct PubSubImpl {
    pub chain: SharedChain,
    pub subscriptions: Arc<Subscriptions>,
}

/// Each subscription's unsubscribe method.
const UNSUBSCRIBE_METHODS: [&str; 6] = [
    "accountUnsubscribe",
    "programUnsubscribe",
    "signatureUnsubscribe",
    "logsUnsubscribe",
    "slotUnsubscribe",
    "rootUnsubscribe",
];

/// The PubSub methods, with agave's unsubscribe: `true` for a subscription of this connection
/// (live, or a signature's already notified), else `-32602 Invalid subscription id.`
pub fn pubsub_module(pubsub: PubSubImpl) -> anyhow::Result<RpcModule<PubSubImpl>> {
    let mut module = pubsub.into_rpc();
    for method in UNSUBSCRIBE_METHODS {
        module.remove_method(method);
        module.register_method(
            method,
            |params, pubsub: &PubSubImpl, extensions: &Extensions| {
                let id: u64 = params.one()?;
                let connection = extensions
                    .get::<ConnectionId>()
                    .copied()
                    .unwrap_or_default();
                if pubsub
                    .subscriptions
                    .cancel(&(connection, SubscriptionId::Num(id)))
                {
                    Ok(true)
                } else {
                    Err(ErrorObjectOwned::owned(
                        INVALID_PARAMS,
                        "Invalid subscription id.",
                        None::<()>,
                    ))
                }
            },
        )?;
    }
    Ok(module)
}

fn message<T: Serialize>(value: &T) -> Option<SubscriptionMessage> {
    serde_json::value::to_raw_value(value)
        .ok()
        .map(SubscriptionMessage::from)
}

fn ctx(slot: u64) -> RpcResponseContext {
    RpcResponseContext {
        slot,
        api_version: None,
    }
}

/// Forwards chain events to a sink until the client unsubscribes or goes away; `f` returns the
/// notifications for one event and whether the subscription is done (then it is held, silent,
/// until unsubscribed). `rx` is taken before the subscription is accepted, so no event after the
/// client learns its id is missed.
async fn pump<F>(
    chain: SharedChain,
    sink: SubscriptionSink,
    mut lifeline: Lifeline,
    mut rx: tokio::sync::broadcast::Receiver<Event>,
    mut f: F,
) where
    F: FnMut(&SharedChain, &Event) -> (Vec<SubscriptionMessage>, bool) + Send + 'static,
{
    'events: loop {
        tokio::select! {
            _ = &mut lifeline.ended => return,
            _ = sink.closed() => break,
            event = rx.recv() => match event {
                Ok(event) => {
                    let (messages, done) = f(&chain, &event);
                    for m in messages {
                        if sink.send(m).await.is_err() {
                            break 'events;
                        }
                    }
                    if done {
                        drop(rx);
                        return lifeline.hold(sink).await;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("pubsub subscriber lagged by {n} events");
                }
                Err(RecvError::Closed) => break,
            }
        }
    }
    lifeline.subscriptions.forget(&lifeline.key);
}

fn transaction_in(event: &Event) -> Option<&TxEvent> {
    match event {
        Event::Transaction(tx) => Some(tx),
        _ => None,
    }
}

impl PubSubImpl {
    /// Accepts the subscription (registered first) and pumps the chain's events into it
    /// through `f`, taking the events before the id is sent so none after it is missed.
    async fn serve<F>(&self, pending: PendingSubscriptionSink, f: F) -> SubscriptionResult
    where
        F: FnMut(&SharedChain, &Event) -> (Vec<SubscriptionMessage>, bool) + Send + 'static,
    {
        let rx = lock(&self.chain).subscribe();
        let (sink, lifeline) = Lifeline::accept(&self.subscriptions, pending).await?;
        tokio::spawn(pump(self.chain.clone(), sink, lifeline, rx, f));
        Ok(())
    }
}

#[jsonrpsee::core::async_trait]
impl SolanaPubSubServer for PubSubImpl {
    async fn account_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        pubkey: String,
        config: Option<RpcAccountInfoConfig>,
    ) -> SubscriptionResult {
        let address = match parse_address(&pubkey) {
            Ok(a) => a,
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        };
        let encoding = config
            .as_ref()
            .and_then(|c| c.encoding)
            .unwrap_or(UiAccountEncoding::Binary);
        let slice = config.as_ref().and_then(|c| c.data_slice);
        self.serve(pending, move |chain, event| {
            let Some((slot, written)) = event.written_accounts() else {
                return (Vec::new(), false);
            };
            let mut out = Vec::new();
            for (key, account) in written {
                if *key == address {
                    let chain = lock(chain);
                    let ui = ui_account(&chain, key, account, encoding, slice);
                    out.extend(message(&Response {
                        context: ctx(slot),
                        value: ui,
                    }));
                }
            }
            (out, false)
        })
        .await
    }

    async fn program_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        program_id: String,
        config: Option<RpcProgramAccountsConfig>,
    ) -> SubscriptionResult {
        let program = match parse_address(&program_id) {
            Ok(a) => a,
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        };
        let config = config.unwrap_or_default();
        let mut filters = config.filters.clone().unwrap_or_default();
        if let Err(e) = crate::rpc::prepare_filters(&mut filters) {
            pending.reject(e).await;
            return Ok(());
        }
        let encoding = config
            .account_config
            .encoding
            .unwrap_or(UiAccountEncoding::Binary);
        let slice = config.account_config.data_slice;
        self.serve(pending, move |chain, event| {
            let Some((slot, written)) = event.written_accounts() else {
                return (Vec::new(), false);
            };
            let mut out = Vec::new();
            for (key, account) in written {
                if account.owner != program || !crate::rpc::filters_match(&filters, account) {
                    continue;
                }
                let chain = lock(chain);
                let keyed = RpcKeyedAccount {
                    pubkey: key.to_string(),
                    account: ui_account(&chain, key, account, encoding, slice),
                };
                out.extend(message(&Response {
                    context: ctx(slot),
                    value: keyed,
                }));
            }
            (out, false)
        })
        .await
    }

    async fn signature_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        signature: String,
        config: Option<RpcSignatureSubscribeConfig>,
    ) -> SubscriptionResult {
        let received = config
            .and_then(|c| c.enable_received_notification)
            .unwrap_or(false);
        let Ok(signature) = signature.parse::<Signature>() else {
            pending
                .reject(invalid_params("Invalid param: Invalid"))
                .await;
            return Ok(());
        };
        // Listen before looking at the ledger, so a transaction landing in between is seen
        // by one or the other. A signature already processed is notified at once (agave only
        // notifies for later slots; clients that subscribe just after sending would hang).
        let (rx, done) = {
            let chain = lock(&self.chain);
            let rx = chain.subscribe();
            let done = chain
                .get_entry(&signature)
                .map(|r| (r.slot, r.status.clone().err()));
            (rx, done)
        };
        let (sink, lifeline) = Lifeline::accept(&self.subscriptions, pending).await?;
        let notification = |slot: u64, err: Option<solana_transaction_error::TransactionError>| {
            let value = RpcSignatureResult::ProcessedSignature(ProcessedSignatureResult {
                err: err.map(Into::into),
            });
            message(&Response {
                context: ctx(slot),
                value,
            })
        };
        if let Some((slot, err)) = done {
            if let Some(m) = notification(slot, err) {
                let _ = sink.send(m).await;
            }
            tokio::spawn(lifeline.hold(sink));
            return Ok(());
        }
        tokio::spawn(pump(
            self.chain.clone(),
            sink,
            lifeline,
            rx,
            move |_, event| match event {
                Event::Transaction(tx) if tx.signature == signature => (
                    notification(tx.slot, tx.err.clone()).into_iter().collect(),
                    true,
                ),
                // `sendTransaction` accepted it: agave's `receivedSignature`, when asked for.
                Event::Received {
                    signature: got,
                    slot,
                } if received && *got == signature => (
                    message(&Response {
                        context: ctx(*slot),
                        value: RpcSignatureResult::ReceivedSignature(
                            ReceivedSignatureResult::ReceivedSignature,
                        ),
                    })
                    .into_iter()
                    .collect(),
                    false,
                ),
                _ => (Vec::new(), false),
            },
        ));
        Ok(())
    }

    async fn logs_subscribe(
        &self,
        pending: PendingSubscriptionSink,
        filter: RpcTransactionLogsFilter,
        _config: Option<RpcTransactionLogsConfig>,
    ) -> SubscriptionResult {
        let mentions: Option<Address> = match &filter {
            RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => None,
            RpcTransactionLogsFilter::Mentions(list) => {
                if list.len() != 1 {
                    pending
                        .reject(invalid_params("Invalid Request: Only 1 address supported"))
                        .await;
                    return Ok(());
                }
                match parse_address(&list[0]) {
                    Ok(a) => Some(a),
                    Err(e) => {
                        pending.reject(e).await;
                        return Ok(());
                    }
                }
            }
        };
        self.serve(pending, move |_, event| {
            let Some(tx) = transaction_in(event) else {
                return (Vec::new(), false);
            };
            if let Some(m) = &mentions {
                if !tx.account_keys.contains(m) {
                    return (Vec::new(), false);
                }
            }
            let value = RpcLogsResponse {
                signature: tx.signature.to_string(),
                err: tx.err.clone().map(Into::into),
                logs: tx.logs.clone(),
            };
            (
                message(&Response {
                    context: ctx(tx.slot),
                    value,
                })
                .into_iter()
                .collect(),
                false,
            )
        })
        .await
    }

    async fn slot_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        self.serve(pending, |_, event| match event {
            Event::Slot { slot, parent, root } => (
                message(&json!({"parent": parent, "root": root, "slot": slot}))
                    .into_iter()
                    .collect(),
                false,
            ),
            _ => (Vec::new(), false),
        })
        .await
    }

    async fn root_subscribe(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        self.serve(pending, |_, event| match event {
            Event::Slot { root, .. } => (message(root).into_iter().collect(), false),
            _ => (Vec::new(), false),
        })
        .await
    }
}
