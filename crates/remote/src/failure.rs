//! Why a request to a store failed, in words a researcher can act on: what happened, where (the
//! endpoint, never the request's query or headers, which may carry a signature), and what to
//! check for that case. `object_store`'s own text (retry counts, the XML body, the request's
//! query) stays out of the window's notice.

use crate::url::RemoteUrl;

/// One line for a failed request: "nothing answers at http://127.0.0.1:9 (connection refused)".
pub fn short(err: &object_store::Error) -> String {
    Failure::of(err).reason
}

/// A failed listing or client set-up, with what to check: "the secret key does not match the
/// access key (403 Forbidden, SignatureDoesNotMatch, at http://…); check AWS_SECRET_ACCESS_KEY".
pub fn explain(url: &RemoteUrl, err: &object_store::Error) -> String {
    let failure = Failure::of(err);
    let check = failure
        .check
        .map(|check| check(url))
        .unwrap_or_else(|| what_to_check(url).to_string());
    format!("{}; {check}", failure.reason)
}

/// What to check, per scheme, when nothing more precise is known.
pub fn what_to_check(url: &RemoteUrl) -> &'static str {
    match url.scheme.as_str() {
        "s3" | "s3a" => {
            "check the bucket name, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN \
             if your token expires), AWS_REGION, and AWS_ENDPOINT_URL (+ AWS_ALLOW_HTTP=true for \
             http://) for an S3-compatible store"
        }
        "gs" => "check the bucket name and GOOGLE_SERVICE_ACCOUNT / GOOGLE_APPLICATION_CREDENTIALS",
        _ => "check the container name and AZURE_STORAGE_ACCOUNT_NAME / AZURE_STORAGE_ACCOUNT_KEY",
    }
}

type Check = fn(&RemoteUrl) -> String;

struct Failure {
    reason: String,
    /// What to check for this failure (`None`: the scheme's general list).
    check: Option<Check>,
}

impl Failure {
    fn of(err: &object_store::Error) -> Failure {
        let mut texts = vec![err.to_string()];
        let mut kind = None;
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            if let Some(http) = inner.downcast_ref::<object_store::client::HttpError>() {
                kind = Some(http.kind());
            }
            texts.push(inner.to_string());
            source = inner.source();
        }
        let all = texts.join(" · ");
        let lower = all.to_ascii_lowercase();
        let endpoint = endpoint(&all);
        let at = endpoint
            .as_ref()
            .map(|endpoint| format!(" at {endpoint}"))
            .unwrap_or_default();
        let status = between(&all, "status code: ", ":").map(str::trim);
        let code = between(&all, "<Code>", "</Code>");
        let refused = |what: &str, check: Option<Check>| {
            let place = endpoint.as_ref().map(|endpoint| format!("at {endpoint}"));
            let detail: Vec<&str> = [status, code, place.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            Failure {
                reason: if detail.is_empty() {
                    what.to_string()
                } else {
                    format!("{what} ({})", detail.join(", "))
                },
                check,
            }
        };
        use object_store::client::HttpErrorKind;
        match (code, err) {
            (Some("SignatureDoesNotMatch"), _) => {
                return refused(
                    "the secret key does not match the access key",
                    Some(|_| "check AWS_SECRET_ACCESS_KEY".into()),
                );
            }
            (Some("InvalidAccessKeyId" | "NotSignedUp"), _) => {
                return refused(
                    "the store does not know this access key",
                    Some(|_| "check AWS_ACCESS_KEY_ID and AWS_ENDPOINT_URL".into()),
                );
            }
            (Some("ExpiredToken" | "TokenRefreshRequired"), _) => {
                return refused(
                    "the session token has expired",
                    Some(|_| "get new credentials: AWS_SESSION_TOKEN with its key pair".into()),
                );
            }
            (Some("NoSuchBucket" | "ContainerNotFound"), _) => {
                return refused(
                    "no such bucket",
                    Some(|url| {
                        format!(
                            "check the bucket name \"{}\" and the endpoint or region",
                            url.bucket
                        )
                    }),
                );
            }
            (Some("PermanentRedirect" | "AuthorizationHeaderMalformed"), _) => {
                return refused(
                    "the bucket is in another region",
                    Some(|_| "check AWS_REGION".into()),
                );
            }
            (Some("AccessDenied" | "AuthorizationPermissionMismatch"), _)
            | (_, object_store::Error::PermissionDenied { .. }) => {
                return refused(
                    "access denied",
                    Some(|_| {
                        "check that these credentials may list and read this bucket and prefix"
                            .into()
                    }),
                );
            }
            (_, object_store::Error::Unauthenticated { .. }) => {
                return refused("not signed in", None);
            }
            (_, object_store::Error::NotFound { .. }) => return refused("not found", None),
            _ => {}
        }
        if lower.contains("builder error") && all.contains("http://") {
            return Failure {
                reason: format!("plain http:// is not allowed{at}"),
                check: Some(|url| {
                    let var = match url.scheme.as_str() {
                        "gs" => "GOOGLE_ALLOW_HTTP",
                        "s3" | "s3a" => "AWS_ALLOW_HTTP",
                        _ => "AZURE_ALLOW_HTTP",
                    };
                    format!("set {var}=true for a store without TLS")
                }),
            };
        }
        let unreachable = |what: String| Failure {
            reason: what,
            check: Some(|url| match url.scheme.as_str() {
                "s3" | "s3a" => {
                    "check AWS_ENDPOINT_URL, the network, and that the store is up".into()
                }
                "gs" => {
                    "check the network, and the base URL in GOOGLE_SERVICE_ACCOUNT if you set one"
                        .into()
                }
                _ => "check the network, AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ENDPOINT"
                    .into(),
            }),
        };
        if lower.contains("connection refused") {
            return unreachable(format!("nothing answers{at} (connection refused)"));
        }
        if lower.contains("dns error") || lower.contains("failed to lookup address") {
            return unreachable(format!("the store's host name does not resolve{at}"));
        }
        match kind {
            Some(HttpErrorKind::Timeout) => {
                return unreachable(format!("no answer in time{at} (timed out)"));
            }
            Some(HttpErrorKind::Connect | HttpErrorKind::Request) => {
                let innermost = texts.last().map(String::as_str).unwrap_or_default();
                return unreachable(format!("cannot connect{at} ({})", clip(innermost)));
            }
            _ => {}
        }
        if status.is_some() {
            return refused("the store refused the request", None);
        }
        // Nothing recognised: the library's first line, without a request's query.
        let first = all.lines().next().unwrap_or_default();
        Failure {
            reason: clip(&without_queries(first)),
            check: None,
        }
    }
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// The first URL's scheme, host and port: where the request went.
fn endpoint(text: &str) -> Option<String> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let rest = &text[start..];
    let scheme_end = rest.find("://")? + 3;
    let host_len = rest[scheme_end..]
        .find(|c: char| c == '/' || c == '?' || c.is_whitespace())
        .unwrap_or(rest.len() - scheme_end);
    Some(rest[..scheme_end + host_len].to_string())
}

/// `text` with every URL's query cut off (a presigned query carries a signature).
fn without_queries(text: &str) -> String {
    text.split(' ')
        .map(|word| match word.find('?') {
            Some(q) if word.contains("://") => &word[..q],
            _ => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn clip(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let clipped: String = text.chars().take(MAX).collect();
        format!("{clipped}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::client::{HttpError, HttpErrorKind};

    #[derive(Debug)]
    struct Text(String, Option<Box<dyn std::error::Error + Send + Sync>>);
    impl std::fmt::Display for Text {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Text {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    fn generic(
        text: &str,
        inner: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> object_store::Error {
        object_store::Error::Generic {
            store: "S3",
            source: Box::new(Text(text.to_string(), inner)),
        }
    }

    fn s3() -> RemoteUrl {
        RemoteUrl::parse("s3://runs/lab").unwrap().unwrap()
    }

    const LIST: &str = "Error performing list request: Error performing GET \
        http://127.0.0.1:9000/runs?delimiter=%2F&list-type=2&prefix=lab%2F&X-Amz-Signature=abc in 1ms";

    #[test]
    fn refusals_say_which_credential_to_check() {
        let err = generic(
            &format!(
                "{LIST} - Server returned non-2xx status code: 403 Forbidden: <?xml version=\"1.0\"?>\
                 <Error><Code>SignatureDoesNotMatch</Code></Error>"
            ),
            None,
        );
        assert_eq!(
            explain(&s3(), &err),
            "the secret key does not match the access key (403 Forbidden, SignatureDoesNotMatch, \
             at http://127.0.0.1:9000); check AWS_SECRET_ACCESS_KEY"
        );
        let err = generic(
            &format!(
                "{LIST} - Server returned non-2xx status code: 404 Not Found: <Error><Code>NoSuchBucket</Code></Error>"
            ),
            None,
        );
        let text = explain(&s3(), &err);
        assert!(
            text.starts_with("no such bucket (404 Not Found, NoSuchBucket"),
            "{text}"
        );
        assert!(text.contains("\"runs\""), "{text}");
        let err = generic(
            &format!(
                "{LIST} - Server returned non-2xx status code: 400 Bad Request: <Error><Code>ExpiredToken</Code></Error>"
            ),
            None,
        );
        assert!(explain(&s3(), &err).contains("AWS_SESSION_TOKEN"));
        assert!(!explain(&s3(), &err).contains("Signature=abc"));
    }

    #[test]
    fn an_unreachable_store_is_named_by_endpoint_without_the_query() {
        let refused = HttpError::new(
            HttpErrorKind::Connect,
            std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "Connection refused (os error 111)",
            ),
        );
        let err = generic(
            &format!(
                "{LIST}, after 3 retries, max_retries: 3, retry_timeout: 15s  - HTTP error: error sending request"
            ),
            Some(Box::new(refused)),
        );
        assert_eq!(
            short(&err),
            "nothing answers at http://127.0.0.1:9000 (connection refused)"
        );
        assert!(explain(&s3(), &err).contains("check AWS_ENDPOINT_URL"));
        let timeout = HttpError::new(HttpErrorKind::Timeout, std::io::Error::other("deadline"));
        let err = generic(LIST, Some(Box::new(timeout)));
        assert_eq!(
            short(&err),
            "no answer in time at http://127.0.0.1:9000 (timed out)"
        );
        let gs = RemoteUrl::parse("gs://b/p").unwrap().unwrap();
        assert!(explain(&gs, &err).contains("GOOGLE_SERVICE_ACCOUNT"));
    }

    #[test]
    fn unknown_errors_keep_their_first_line_without_queries() {
        let err = generic(
            "Something new: GET https://s3.example.com/b?sig=secret failed\nmore",
            None,
        );
        assert_eq!(
            short(&err),
            "Generic S3 error: Something new: GET https://s3.example.com/b failed"
        );
        assert_eq!(
            endpoint("see http://[::1]:9000/x"),
            Some("http://[::1]:9000".into())
        );
    }
}
