"""PyGithub, made polite: rate limits honoured, 5xx retried with backoff, every call counted.

All calls go through ``Github.requester.requestJsonAndCheck`` (PyGithub's documented way to call
an endpoint directly) so that one method here is exactly one HTTP request (plus retries):
PyGithub's lazy objects would otherwise complete themselves with hidden GETs, and the call
budget per drift is part of the contract.

Retries (``RateLimitRetry``):

* primary rate limit (403/429 with ``X-RateLimit-Remaining: 0``): wait until
  ``X-RateLimit-Reset`` (+1 s);
* secondary rate limit (403/429 with ``Retry-After``, or a body saying so): wait
  ``Retry-After`` seconds, else ``secondary_wait`` (GitHub asks for at least a minute);
* 5xx: exponential backoff; a POST that creates something (issue, comment, pull, ref) is *not*
  retried on 5xx or a read error, since GitHub may have created it already: the next run finds
  it by its marker. Git objects, labels and review requests are idempotent and are retried;
* a wait longer than ``max_rate_limit_wait`` fails fast with ``RateLimitError``.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from github import Auth, Github, GithubException, GithubRetry
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from tfdrift_gitops.errors import GitHubError
from tfdrift_gitops.github.settings import DEFAULT_API_URL, GitHubSettings

log = logging.getLogger(__name__)

_IDEMPOTENT_POST = re.compile(
    r"/git/(?:blobs|trees|commits)$|/labels$|/requested_reviewers$|/issues/\d+/labels$"
)


class ApiError(GitHubError):
    """One GitHub API call failed (after retries); ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class RateLimitError(ApiError):
    """GitHub asked us to wait longer than ``max_rate_limit_wait``."""


@dataclass(slots=True)
class ApiStats:
    """Requests made by this process: reads (GET) and writes, retries and time spent waiting."""

    reads: int = 0
    writes: int = 0
    retries: int = 0
    waited: float = 0.0
    by_call: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.reads + self.writes

    def to_dict(self) -> dict[str, Any]:
        return {
            "reads": self.reads,
            "writes": self.writes,
            "retries": self.retries,
            "waited_seconds": round(self.waited, 3),
        }


class RateLimitRetry(Retry):
    """urllib3 ``Retry`` that understands GitHub's rate limit answers (see module docstring)."""

    def __init__(
        self,
        *,
        stats: ApiStats | None = None,
        secondary_wait: float = 60.0,
        max_rate_limit_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("total", 5)
        kwargs.setdefault("backoff_factor", 1.0)
        kwargs.setdefault("backoff_max", 60.0)
        kwargs.setdefault("status_forcelist", (403, 429, 500, 502, 503, 504))
        kwargs.setdefault("allowed_methods", None)  # every verb; POST is filtered in increment
        kwargs.setdefault("raise_on_status", False)
        kwargs.setdefault("respect_retry_after_header", True)
        super().__init__(**kwargs)
        self.stats = stats if stats is not None else ApiStats()
        self.secondary_wait = secondary_wait
        self.max_rate_limit_wait = max_rate_limit_wait
        self._sleep_fn = sleep
        self._clock = clock
        self._next_wait: float | None = None

    def new(self, **kw: Any) -> RateLimitRetry:
        kw.update(
            stats=self.stats,
            secondary_wait=self.secondary_wait,
            max_rate_limit_wait=self.max_rate_limit_wait,
            sleep=self._sleep_fn,
            clock=self._clock,
        )
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> RateLimitRetry:
        path = urlsplit(url or "").path
        creates = (method or "").upper() == "POST" and not _IDEMPOTENT_POST.search(path)
        wait: float | None = None
        if response is not None and response.status in (403, 429):
            wait = self._rate_limit_wait(response, url or "")
            if wait is None:  # a plain 403 (permissions): not ours to retry
                raise MaxRetryError(_pool, url or "", None)
            if wait > self.max_rate_limit_wait:
                raise RateLimitError(
                    f"GitHub rate limit: asked to wait {wait:.0f}s for {method} {path}, more than "
                    f"max_rate_limit_wait ({self.max_rate_limit_wait:.0f}s)",
                    status=response.status,
                )
        elif creates:
            # 5xx or a read error after a create may mean it was created: do not repeat it.
            if response is not None:
                raise MaxRetryError(_pool, url or "", None)
            if error is not None and self._is_read_error(error):
                raise MaxRetryError(_pool, url or "", error)
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        new._next_wait = wait
        self.stats.retries += 1
        log.info(
            "retrying %s %s after %s (attempt %d)",
            method,
            path,
            response.status if response is not None else error,
            len(new.history),
        )
        return new

    def _rate_limit_wait(self, response: Any, url: str) -> float | None:
        headers = response.headers
        retry_after = headers.get("Retry-After")
        if retry_after:
            return _parse_retry_after(retry_after, self._clock())
        if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
            try:
                reset = float(headers["X-RateLimit-Reset"])
            except ValueError:
                return self.secondary_wait
            return max(reset - self._clock(), 0.0) + 1.0
        if response.status == 429:
            return self.secondary_wait
        try:
            content = GithubRetry.get_content(response, url)
            message = str(json.loads(content).get("message", ""))
        except (ValueError, AttributeError, TypeError):
            message = ""
        if "rate limit" in message.lower():
            return self.secondary_wait
        # The body is consumed now: answer with the error ourselves.
        raise GithubException(response.status, {"message": message}, dict(headers))

    def sleep(self, response: Any = None) -> None:
        # urllib3 does not wait before the first retry; a server in trouble deserves a pause.
        backoff = max(self.get_backoff_time(), self.backoff_factor)
        wait = self._next_wait if self._next_wait is not None else backoff
        if wait > 0:
            self.stats.waited += wait
            self._sleep_fn(wait)


def _parse_retry_after(value: str, now: float) -> float:
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 60.0
    return max(when.timestamp() - now, 0.0)


_LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubClient:
    """The REST calls reconcile and comment make; each method is one request per page."""

    def __init__(
        self,
        repo: str,
        *,
        token: str | None,
        base_url: str = "",
        settings: GitHubSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        backoff_factor: float = 1.0,
        secondary_wait: float = 60.0,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
            raise GitHubError(f"--repo must be OWNER/NAME, got {repo!r}")
        settings = settings or GitHubSettings()
        self.repo = repo
        self.stats = ApiStats()
        self.retry = RateLimitRetry(
            stats=self.stats,
            total=settings.max_retries,
            backoff_factor=backoff_factor,
            secondary_wait=secondary_wait,
            max_rate_limit_wait=settings.max_rate_limit_wait,
            sleep=sleep,
            clock=clock,
        )
        self.base_url = (base_url or settings.url or DEFAULT_API_URL).rstrip("/")
        self._gh = Github(
            base_url=self.base_url,
            auth=Auth.Token(token) if token else None,
            retry=self.retry,
            per_page=100,
            timeout=30,
            user_agent="tfdrift-gitops",
            seconds_between_requests=settings.seconds_between_requests,
            seconds_between_writes=settings.seconds_between_writes,
        )
        self._path = f"/repos/{repo}"
        self._bot_login = settings.bot_login
        self._identity: str | None = None
        # Never in an error message: the token, and any credential in the API URL.
        userinfo = urlsplit(self.base_url)
        self._secrets = tuple(
            sorted(
                {x for x in (token, userinfo.password, userinfo.username) if x and len(x) >= 4},
                key=len,
                reverse=True,
            )
        )

    def close(self) -> None:
        self._gh.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _call(
        self,
        verb: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        what: str,
    ) -> tuple[dict[str, Any], Any]:
        if verb == "GET" or what == "viewer":  # a GraphQL query is a POST that reads
            self.stats.reads += 1
        else:
            self.stats.writes += 1
        self.stats.by_call[what] += 1
        try:
            return self._gh.requester.requestJsonAndCheck(
                verb, url, parameters=dict(params) if params else None, input=body
            )
        except GithubException as exc:
            message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
            raise ApiError(
                self._clean(f"GitHub {verb} {urlsplit(url).path}: {exc.status} {message}"),
                status=exc.status,
            ) from None
        except MaxRetryError as exc:
            raise ApiError(
                self._clean(f"GitHub {verb} {urlsplit(url).path}: gave up: {exc.reason}")
            ) from None
        except OSError as exc:  # connection refused, DNS, TLS: requests' errors are OSErrors
            raise ApiError(self._clean(f"GitHub {verb} {urlsplit(url).path}: {exc}")) from None

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _pages(self, url: str, params: Mapping[str, Any], what: str) -> Iterator[Any]:
        query: Mapping[str, Any] | None = {**params, "per_page": 100}
        next_url: str | None = url
        while next_url:
            headers, data = self._call("GET", next_url, params=query, what=what)
            if not isinstance(data, list):
                raise ApiError(f"GitHub GET {urlsplit(next_url).path}: expected a list")
            yield from data
            match = _LINK_NEXT.search(headers.get("link", ""))
            next_url = match.group(1) if match else None
            query = None  # the next link carries the query

    # -- who we are ----------------------------------------------------------------------------

    def identity(self) -> str:
        """The login the token acts as: what GitHub writes as the author of our issues and
        comments. The configured ``github.bot_login`` wins; else GraphQL ``viewer``, which
        answers for user tokens and installation tokens alike (a GitHub App: ``<slug>[bot]``,
        the Actions ``GITHUB_TOKEN``: ``github-actions[bot]``); else ``GET /user`` (user
        tokens, where GraphQL is unavailable). One lookup per client."""
        if self._identity is None:
            self._identity = self._bot_login or self._ask_identity()
        return self._identity

    def _ask_identity(self) -> str:
        problems: list[str] = []
        try:
            _, data = self._call(
                "POST",
                self._graphql_url(),
                body={"query": "query { viewer { login } }"},
                what="viewer",
            )
            viewer = ((data or {}).get("data") or {}).get("viewer") or {}
            login = viewer.get("login") if isinstance(viewer, Mapping) else None
            if isinstance(login, str) and login:
                return login
            problems.append("GraphQL viewer: no login in the answer")
        except ApiError as exc:
            if exc.status == 401:
                raise
            problems.append(str(exc))
        try:
            _, data = self._call("GET", "/user", what="get_user")
            login = data.get("login") if isinstance(data, Mapping) else None
            if isinstance(login, str) and login:
                return login
            problems.append("GET /user: no login in the answer")
        except ApiError as exc:
            if exc.status == 401:
                raise
            problems.append(str(exc))
        raise GitHubError(
            "cannot tell which GitHub account the token acts as ("
            + "; ".join(problems)
            + "); set github.bot_login in .tfdrift.yml (a GitHub App: '<app-slug>[bot]')"
        )

    def _graphql_url(self) -> str:
        # GitHub Enterprise serves REST at /api/v3 and GraphQL at /api/graphql.
        if self.base_url.endswith("/api/v3"):
            return self.base_url.removesuffix("/v3") + "/graphql"
        return self.base_url + "/graphql"

    def is_ours(self, item: Mapping[str, Any]) -> bool:
        """Whether an issue, pull request or comment was written by the token's identity:
        only those are edited, closed or trusted, whatever marker their body carries."""
        user = item.get("user")
        login = user.get("login") if isinstance(user, Mapping) else None
        return isinstance(login, str) and login.casefold() == self.identity().casefold()

    # -- repository ----------------------------------------------------------------------------

    def default_branch(self) -> str:
        _, data = self._call("GET", self._path, what="get_repo")
        return str(data["default_branch"])

    def list_issues(self, *, label: str, state: str = "open") -> list[dict[str, Any]]:
        """Issues *and* pull requests carrying ``label`` (PRs have a ``pull_request`` key)."""
        params = {"labels": label, "state": state, "sort": "created", "direction": "asc"}
        return list(self._pages(f"{self._path}/issues", params, "list_issues"))

    def get_issue(self, number: int) -> dict[str, Any] | None:
        try:
            return dict(self._call("GET", f"{self._path}/issues/{number}", what="get_issue")[1])
        except ApiError as exc:
            if exc.status in (404, 410):
                return None
            raise

    def list_labels(self) -> set[str]:
        return {str(x["name"]) for x in self._pages(f"{self._path}/labels", {}, "list_labels")}

    def create_label(self, name: str, color: str, description: str) -> None:
        try:
            self._call(
                "POST",
                f"{self._path}/labels",
                body={"name": name, "color": color, "description": description},
                what="create_label",
            )
        except ApiError as exc:
            if exc.status != 422:  # already exists (created concurrently)
                raise

    def create_issue(
        self, title: str, body: str, labels: list[str], assignees: list[str]
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"title": title, "body": body, "labels": labels}
        if assignees:
            payload["assignees"] = assignees
        _, data = self._call("POST", f"{self._path}/issues", body=payload, what="create_issue")
        return dict(data)

    def edit_issue(self, number: int, **fields: Any) -> dict[str, Any]:
        """PATCH an issue or a pull request's issue fields (title, body, state, labels)."""
        _, data = self._call(
            "PATCH", f"{self._path}/issues/{number}", body=fields, what="edit_issue"
        )
        return dict(data)

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        _, data = self._call(
            "POST",
            f"{self._path}/issues/{number}/comments",
            body={"body": body},
            what="create_comment",
        )
        return dict(data)

    def list_comments(self, number: int) -> list[dict[str, Any]]:
        return list(self._pages(f"{self._path}/issues/{number}/comments", {}, "list_comments"))

    def edit_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        _, data = self._call(
            "PATCH",
            f"{self._path}/issues/comments/{comment_id}",
            body={"body": body},
            what="edit_comment",
        )
        return dict(data)

    # -- git data ------------------------------------------------------------------------------

    def get_branch_sha(self, branch: str) -> str | None:
        try:
            _, data = self._call(
                "GET", f"{self._path}/git/ref/heads/{quote(branch, safe='/')}", what="get_ref"
            )
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return str(data["object"]["sha"])

    def get_commit_tree(self, sha: str) -> str:
        _, data = self._call("GET", f"{self._path}/git/commits/{sha}", what="get_commit")
        return str(data["tree"]["sha"])

    def get_tree_blobs(self, tree_sha: str) -> tuple[dict[str, str], bool]:
        """Path -> blob sha of a whole tree, and whether GitHub truncated the listing."""
        _, data = self._call(
            "GET",
            f"{self._path}/git/trees/{tree_sha}",
            params={"recursive": "1"},
            what="get_tree",
        )
        blobs = {str(e["path"]): str(e["sha"]) for e in data["tree"] if e.get("type") == "blob"}
        return blobs, bool(data.get("truncated"))

    def create_tree(self, base_tree: str, files: Mapping[str, str]) -> str:
        entries = [
            {"path": path, "mode": "100644", "type": "blob", "content": content}
            for path, content in sorted(files.items())
        ]
        _, data = self._call(
            "POST",
            f"{self._path}/git/trees",
            body={"base_tree": base_tree, "tree": entries},
            what="create_tree",
        )
        return str(data["sha"])

    def create_commit(self, message: str, tree: str, parents: list[str]) -> str:
        _, data = self._call(
            "POST",
            f"{self._path}/git/commits",
            body={"message": message, "tree": tree, "parents": parents},
            what="create_commit",
        )
        return str(data["sha"])

    def create_branch(self, branch: str, sha: str) -> None:
        self._call(
            "POST",
            f"{self._path}/git/refs",
            body={"ref": f"refs/heads/{branch}", "sha": sha},
            what="create_ref",
        )

    def move_branch(self, branch: str, sha: str) -> None:
        self._call(
            "PATCH",
            f"{self._path}/git/refs/heads/{quote(branch, safe='/')}",
            body={"sha": sha, "force": True},
            what="update_ref",
        )

    def delete_branch(self, branch: str) -> None:
        try:
            self._call(
                "DELETE",
                f"{self._path}/git/refs/heads/{quote(branch, safe='/')}",
                what="delete_ref",
            )
        except ApiError as exc:
            if exc.status not in (404, 422):  # already gone
                raise

    def get_contents(self, path: str, ref: str) -> str | None:
        """A file's text at ``ref``; None when it does not exist there."""
        try:
            _, data = self._call(
                "GET",
                f"{self._path}/contents/{quote(path)}",
                params={"ref": ref},
                what="get_contents",
            )
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        if data.get("encoding") != "base64":
            raise ApiError(f"GitHub contents {path}@{ref}: file too large for the contents API")
        import base64

        return base64.b64decode(str(data.get("content") or "")).decode("utf-8", "replace")

    # -- pull requests -------------------------------------------------------------------------

    def create_pull(self, title: str, body: str, head: str, base: str) -> dict[str, Any]:
        _, data = self._call(
            "POST",
            f"{self._path}/pulls",
            body={
                "title": title,
                "body": body,
                "head": head,
                "base": base,
                "maintainer_can_modify": True,
            },
            what="create_pull",
        )
        return dict(data)

    def get_pull(self, number: int) -> dict[str, Any] | None:
        try:
            return dict(self._call("GET", f"{self._path}/pulls/{number}", what="get_pull")[1])
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def find_pulls(self, head_branch: str) -> list[dict[str, Any]]:
        owner = self.repo.split("/", 1)[0]
        params = {"head": f"{owner}:{head_branch}", "state": "all"}
        return list(self._pages(f"{self._path}/pulls", params, "find_pulls"))

    def list_open_pulls(self) -> list[dict[str, Any]]:
        return list(self._pages(f"{self._path}/pulls", {"state": "open"}, "list_pulls"))

    def pull_files(self, number: int) -> list[dict[str, Any]]:
        return list(self._pages(f"{self._path}/pulls/{number}/files", {}, "pull_files"))

    def edit_pull(self, number: int, **fields: Any) -> None:
        self._call("PATCH", f"{self._path}/pulls/{number}", body=fields, what="edit_pull")

    def request_review(self, number: int, logins: list[str]) -> None:
        self._call(
            "POST",
            f"{self._path}/pulls/{number}/requested_reviewers",
            body={"reviewers": logins},
            what="request_review",
        )
