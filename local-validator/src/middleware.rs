//! What agave's servers do around the JSON-RPC methods: `GET /health` on the RPC port, and an
//! error (not `false`) for unsubscribing an id that is not subscribed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use jsonrpsee::core::middleware::{Batch, Notification, RpcServiceT};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse, MethodResponse};
use jsonrpsee::types::{ErrorObjectOwned, Request};

use crate::rpc::INVALID_PARAMS;

/// Answers `GET /health` with `200 ok` in plain text, as agave's RPC service does for a healthy
/// node (readiness probes and load balancers call it); everything else goes to JSON-RPC.
#[derive(Clone, Copy, Debug, Default)]
pub struct HealthLayer;

impl<S> tower::Layer<S> for HealthLayer {
    type Service = Health<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Health { inner }
    }
}

#[derive(Clone, Debug)]
pub struct Health<S> {
    inner: S,
}

type BoxedResponse<E> = Pin<Box<dyn Future<Output = Result<HttpResponse, E>> + Send + 'static>>;

impl<S, B> tower::Service<HttpRequest<B>> for Health<S>
where
    S: tower::Service<HttpRequest<B>, Response = HttpResponse>,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = S::Error;
    type Future = BoxedResponse<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest<B>) -> Self::Future {
        if request.method() == http::Method::GET && request.uri().path() == "/health" {
            let mut response = HttpResponse::new(HttpBody::from("ok"));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return Box::pin(async move { Ok(response) });
        }
        Box::pin(self.inner.call(request))
    }
}

/// Turns the `false` jsonrpsee answers to `*Unsubscribe` with an unknown subscription id into
/// agave's error: `-32602 Invalid subscription id.`
#[derive(Clone, Debug)]
pub struct UnsubscribeErrors<S>(pub S);

impl<S> RpcServiceT for UnsubscribeErrors<S>
where
    S: RpcServiceT<MethodResponse = MethodResponse> + Send + Sync + Clone + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(
        &self,
        request: Request<'a>,
    ) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        let service = self.0.clone();
        async move {
            let unsubscribe = request.method_name().ends_with("Unsubscribe");
            let id = request.id().into_owned();
            let response = service.call(request).await;
            if unsubscribe && unsubscribed_nothing(&response) {
                return MethodResponse::error(
                    id,
                    ErrorObjectOwned::owned(INVALID_PARAMS, "Invalid subscription id.", None::<()>),
                );
            }
            response
        }
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        self.0.batch(batch)
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.0.notification(n)
    }
}

/// Whether an unsubscribe answered `false` (no such subscription on this connection).
fn unsubscribed_nothing(response: &MethodResponse) -> bool {
    serde_json::from_str::<serde_json::Value>(response.as_json().get())
        .is_ok_and(|v| v.get("result") == Some(&serde_json::Value::Bool(false)))
}
