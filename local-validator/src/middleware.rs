//! What agave's RPC server does around the JSON-RPC methods: `GET /health` on the RPC port.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};

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
