"""A local HTTP server that answers like the GitHub REST API, for the endpoints we use.

Real HTTP on 127.0.0.1 (stdlib ThreadingHTTPServer), driven by the real PyGithub client. It keeps
a small repository: git objects (blobs, flat trees, commits, refs), issues and pull requests
sharing one number sequence, labels, comments, review requests. It paginates with Link headers
like GitHub, counts every request by method, and can inject failures (rate limits with
Retry-After / X-RateLimit-Reset, 5xx) for the next N matching requests.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import re
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "ghs_test_token"
"""Acts like the Actions ``GITHUB_TOKEN``: an installation token of ``github-actions[bot]``."""
APP_TOKEN = "ghs_test_app_token"
USER_TOKEN = "ghp_test_user_token"
CAROL_TOKEN = "ghp_test_carol_token"
BOT = {"login": "github-actions[bot]", "type": "Bot"}
# Token -> the account GitHub writes as author; installation tokens may not call GET /user.
IDENTITIES: dict[str, tuple[dict[str, str], bool]] = {
    TOKEN: (BOT, True),
    APP_TOKEN: ({"login": "drift-app[bot]", "type": "Bot"}, True),
    USER_TOKEN: ({"login": "drift-ops", "type": "User"}, False),
    CAROL_TOKEN: ({"login": "carol", "type": "User"}, False),
}
IDENTITY_PATHS = ("/user", "/graphql")
"""Looked up once per client, not per drift: left out of ``reads``/``writes`` (the per-drift
budgets); ``identity_lookups`` counts them."""


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    remaining: int


@dataclass
class Repo:
    owner: str = "acme"
    name: str = "infra"
    default_branch: str = "main"
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    collaborators: set[str] = field(default_factory=lambda: {"alan-acme", "bob-acme"})
    next_number: int = 1
    next_comment: int = 1000

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def _sha(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data, usedforsecurity=False).hexdigest()


class FakeGitHub:
    """State plus counters; the HTTP handler calls ``handle``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.repo = Repo()
        self.requests: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self.base_url = ""
        self.page_size_cap = 100
        self.caller: dict[str, str] = BOT
        """The account of the request being handled (the author of what it creates)."""

    # -- test helpers ------------------------------------------------------------------------

    def reset(self, files: dict[str, str] | None = None) -> None:
        with self.lock:
            self.repo = Repo()
            self.requests.clear()
            self.faults.clear()
            sha = self.commit_files(files or {"README.md": "infra\n"}, parents=[], message="init")
            self.repo.refs["heads/main"] = sha

    def commit_files(
        self, files: dict[str, str], *, parents: list[str], message: str, base: str | None = None
    ) -> str:
        with self.lock:
            tree = dict(self.repo.trees[base]) if base else {}
            for path, text in files.items():
                data = text.encode()
                sha = _sha("blob", data)
                self.repo.blobs[sha] = data
                tree[path] = sha
            tree_sha = self._store_tree(tree)
            return self._store_commit(tree_sha, parents, message)

    def branch_files(self, ref: str) -> dict[str, str]:
        with self.lock:
            commit = self.repo.refs[f"heads/{ref}"]
            tree = self.repo.trees[self.repo.commits[commit]["tree"]]
            return {p: self.repo.blobs[s].decode() for p, s in tree.items()}

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(m for m, path in self.requests if path not in IDENTITY_PATHS)

    def identity_lookups(self) -> int:
        with self.lock:
            return sum(1 for _, path in self.requests if path in IDENTITY_PATHS)

    def add_comment(self, number: int, body: str, author: str) -> int:
        """A comment written by someone else (through the web UI, say)."""
        with self.lock:
            comment_id = self.repo.next_comment
            self.repo.next_comment += 1
            self.repo.comments[comment_id] = {
                "id": comment_id,
                "issue": number,
                "body": body,
                "user": {"login": author, "type": "User"},
            }
            return comment_id

    def writes(self) -> int:
        return sum(n for m, n in self.counts().items() if m != "GET")

    def reads(self) -> int:
        return self.counts()["GET"]

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        message: str = "injected",
        times: int = 1,
    ) -> None:
        with self.lock:
            self.faults.append(
                Fault(
                    method,
                    re.compile(path_regex),
                    status,
                    headers or {},
                    {"message": message},
                    times,
                )
            )

    def issues(self) -> list[dict[str, Any]]:
        with self.lock:
            return [i for i in self.repo.items.values() if "pull" not in i]

    def pulls(self) -> list[dict[str, Any]]:
        with self.lock:
            return [i for i in self.repo.items.values() if "pull" in i]

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.repo.comments.values() if c["issue"] == number]

    def open_human_pull(self, branch: str, files: dict[str, str], *, author: str = "carol") -> int:
        """A PR by a person: a branch off main changing ``files``."""
        with self.lock:
            base = self.repo.refs["heads/main"]
            base_tree = self.repo.commits[base]["tree"]
            head = self.commit_files(files, parents=[base], message="human", base=base_tree)
            self.repo.refs[f"heads/{branch}"] = head
            return self._new_pull(
                "Human change", "", branch, "main", {"login": author, "type": "User"}
            )

    # -- storage -----------------------------------------------------------------------------

    def _store_tree(self, tree: dict[str, str]) -> str:
        sha = _sha("tree", json.dumps(sorted(tree.items())).encode())
        self.repo.trees[sha] = tree
        return sha

    def _store_commit(self, tree: str, parents: list[str], message: str) -> str:
        data = json.dumps({"tree": tree, "parents": parents, "message": message}).encode()
        sha = _sha("commit", data)
        self.repo.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    def _new_pull(self, title: str, body: str, head: str, base: str, user: dict[str, str]) -> int:
        number = self.repo.next_number
        self.repo.next_number += 1
        self.repo.items[number] = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "labels": [],
            "assignees": [],
            "user": user,
            "pull": {
                "head": head,
                "base": base,
                "base_sha": self.repo.refs[f"heads/{base}"],
                "merged": False,
                "requested_reviewers": [],
            },
        }
        return number

    # -- JSON views ----------------------------------------------------------------------------

    def _item_json(self, item: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.base_url}/repos/{self.repo.full_name}"
        html = f"https://github.test/{self.repo.full_name}"
        kind = "pull" if "pull" in item else "issues"
        data = {
            "number": item["number"],
            "title": item["title"],
            "body": item["body"],
            "state": item["state"],
            "state_reason": item.get("state_reason"),
            "labels": [{"name": n, **self.repo.labels.get(n, {})} for n in item["labels"]],
            "assignees": [{"login": a} for a in item["assignees"]],
            "user": item["user"],
            "url": f"{base}/issues/{item['number']}",
            "html_url": f"{html}/{kind}/{item['number']}",
        }
        if "pull" in item:
            data["pull_request"] = {"url": f"{base}/pulls/{item['number']}"}
        return data

    def _pull_json(self, item: dict[str, Any]) -> dict[str, Any]:
        pull = item["pull"]
        head_sha = self.repo.refs.get(f"heads/{pull['head']}", pull.get("head_sha", ""))
        repo = {"full_name": self.repo.full_name}
        return {
            **self._item_json(item),
            "head": {"ref": pull["head"], "sha": head_sha, "repo": repo},
            "base": {"ref": pull["base"], "sha": pull["base_sha"], "repo": repo},
            "merged": pull["merged"],
            "requested_reviewers": [{"login": r} for r in pull["requested_reviewers"]],
        }

    # -- dispatch ------------------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            split = urlsplit(raw_path)
            path = unquote(split.path)
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            self.requests.append((method, path))
            for fault in self.faults:
                if fault.remaining > 0 and fault.method == method and fault.path.search(path):
                    fault.remaining -= 1
                    return fault.status, fault.headers, fault.body
            auth = headers.get("authorization", "")
            token = auth.partition(" ")[2] if auth.split(" ")[0] in ("token", "Bearer") else ""
            if token not in IDENTITIES:
                return 401, {}, {"message": "Bad credentials"}
            self.caller, installation = IDENTITIES[token]
            if method == "GET" and path == "/user":
                if installation:
                    return 403, {}, {"message": "Resource not accessible by integration"}
                return 200, {}, dict(self.caller)
            if method == "POST" and path == "/graphql":
                viewer = {"login": self.caller["login"]}
                return 200, {}, {"data": {"viewer": viewer}}
            prefix = f"/repos/{self.repo.full_name}"
            if not path.startswith(prefix):
                return 404, {}, {"message": "Not Found"}
            return self._route(method, path[len(prefix) :], query, body)

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"", self._get_repo),
            ("GET", r"/issues", self._list_issues),
            ("POST", r"/issues", self._create_issue),
            ("GET", r"/issues/(\d+)", self._get_issue),
            ("PATCH", r"/issues/(\d+)", self._edit_issue),
            ("GET", r"/issues/(\d+)/comments", self._list_comments),
            ("POST", r"/issues/(\d+)/comments", self._create_comment),
            ("PATCH", r"/issues/comments/(\d+)", self._edit_comment),
            ("GET", r"/labels", self._list_labels),
            ("POST", r"/labels", self._create_label),
            ("GET", r"/git/ref/(heads/.+)", self._get_ref),
            ("POST", r"/git/refs", self._create_ref),
            ("PATCH", r"/git/refs/(heads/.+)", self._update_ref),
            ("DELETE", r"/git/refs/(heads/.+)", self._delete_ref),
            ("GET", r"/git/commits/([0-9a-f]{40})", self._get_commit),
            ("POST", r"/git/commits", self._create_commit),
            ("GET", r"/git/trees/([0-9a-f]{40})", self._get_tree),
            ("POST", r"/git/trees", self._create_tree),
            ("POST", r"/git/blobs", self._create_blob),
            ("GET", r"/contents/(.+)", self._get_contents),
            ("GET", r"/pulls", self._list_pulls),
            ("POST", r"/pulls", self._create_pull),
            ("GET", r"/pulls/(\d+)", self._get_pull),
            ("PATCH", r"/pulls/(\d+)", self._edit_pull),
            ("GET", r"/pulls/(\d+)/files", self._pull_files),
            ("POST", r"/pulls/(\d+)/requested_reviewers", self._request_reviewers),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                result: tuple[int, dict[str, str], Any] = handler(query, body, *match.groups())
                return result
        return 404, {}, {"message": f"Not Found: {method} {path}"}

    def _page(
        self, items: list[Any], query: dict[str, str], path: str
    ) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(query.get("per_page", "30")), self.page_size_cap)
        page = int(query.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = {**query, "page": str(page + 1), "per_page": str(per_page)}
            qs = "&".join(f"{k}={v}" for k, v in rest.items())
            last = (len(items) + per_page - 1) // per_page
            url = f"{self.base_url}/repos/{self.repo.full_name}{path}"
            headers["Link"] = f'<{url}?{qs}>; rel="next", <{url}?page={last}>; rel="last"'
        return 200, headers, chunk

    # -- handlers ------------------------------------------------------------------------------

    def _get_repo(self, query: dict[str, str], body: Any) -> Any:
        return (
            200,
            {},
            {"full_name": self.repo.full_name, "default_branch": self.repo.default_branch},
        )

    def _list_issues(self, query: dict[str, str], body: Any) -> Any:
        state = query.get("state", "open")
        labels = [x for x in query.get("labels", "").split(",") if x]
        items = [
            self._item_json(i)
            for _, i in sorted(self.repo.items.items())
            if (state == "all" or i["state"] == state) and all(x in i["labels"] for x in labels)
        ]
        return self._page(items, query, "/issues")

    def _valid_assignees(self, names: list[str]) -> bool:
        return all(n in self.repo.collaborators for n in names)

    def _create_issue(self, query: dict[str, str], body: Any) -> Any:
        if not body.get("title"):
            return 422, {}, {"message": "Validation Failed", "errors": [{"field": "title"}]}
        if len(body.get("body") or "") > 65536:
            return 422, {}, {"message": "body is too long (maximum is 65536 characters)"}
        assignees = list(body.get("assignees") or [])
        if not self._valid_assignees(assignees):
            return 422, {}, {"message": "Validation Failed", "errors": [{"field": "assignees"}]}
        number = self.repo.next_number
        self.repo.next_number += 1
        labels = list(dict.fromkeys(body.get("labels") or []))
        for label in labels:
            self.repo.labels.setdefault(label, {"color": "ededed", "description": ""})
        self.repo.items[number] = {
            "number": number,
            "title": body["title"],
            "body": body.get("body") or "",
            "state": "open",
            "labels": labels,
            "assignees": assignees,
            "user": dict(self.caller),
        }
        return 201, {}, self._item_json(self.repo.items[number])

    def _get_issue(self, query: dict[str, str], body: Any, number: str) -> Any:
        item = self.repo.items.get(int(number))
        if item is None:
            return 404, {}, {"message": "Not Found"}
        return 200, {}, self._item_json(item)

    def _edit_issue(self, query: dict[str, str], body: Any, number: str) -> Any:
        item = self.repo.items.get(int(number))
        if item is None:
            return 404, {}, {"message": "Not Found"}
        if len(body.get("body") or "") > 65536:
            return 422, {}, {"message": "body is too long (maximum is 65536 characters)"}
        for key in ("title", "body", "state", "state_reason"):
            if key in body:
                item[key] = body[key]
        if "labels" in body:
            item["labels"] = list(dict.fromkeys(body["labels"]))
            for label in item["labels"]:
                self.repo.labels.setdefault(label, {"color": "ededed", "description": ""})
        if "assignees" in body:
            item["assignees"] = list(body["assignees"])
        return 200, {}, self._item_json(item)

    def _list_comments(self, query: dict[str, str], body: Any, number: str) -> Any:
        items = [self._comment_json(c) for c in self.comments_on(int(number))]
        return self._page(items, query, f"/issues/{number}/comments")

    def _comment_json(self, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": comment["id"],
            "body": comment["body"],
            "user": comment.get("user", BOT),
            "html_url": f"https://github.test/{self.repo.full_name}/issues/{comment['issue']}"
            f"#issuecomment-{comment['id']}",
        }

    def _create_comment(self, query: dict[str, str], body: Any, number: str) -> Any:
        if int(number) not in self.repo.items:
            return 404, {}, {"message": "Not Found"}
        if len(body.get("body") or "") > 65536:
            return 422, {}, {"message": "body is too long (maximum is 65536 characters)"}
        comment_id = self.repo.next_comment
        self.repo.next_comment += 1
        self.repo.comments[comment_id] = {
            "id": comment_id,
            "issue": int(number),
            "body": body["body"],
            "user": dict(self.caller),
        }
        return 201, {}, self._comment_json(self.repo.comments[comment_id])

    def _edit_comment(self, query: dict[str, str], body: Any, comment_id: str) -> Any:
        comment = self.repo.comments.get(int(comment_id))
        if comment is None:
            return 404, {}, {"message": "Not Found"}
        comment["body"] = body["body"]
        return 200, {}, self._comment_json(comment)

    def _list_labels(self, query: dict[str, str], body: Any) -> Any:
        items = [{"name": n, **v} for n, v in sorted(self.repo.labels.items())]
        return self._page(items, query, "/labels")

    def _create_label(self, query: dict[str, str], body: Any) -> Any:
        if body["name"] in self.repo.labels:
            return 422, {}, {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
        self.repo.labels[body["name"]] = {
            "color": body["color"],
            "description": body["description"],
        }
        return 201, {}, {"name": body["name"]}

    def _get_ref(self, query: dict[str, str], body: Any, ref: str) -> Any:
        if ref not in self.repo.refs:
            return 404, {}, {"message": "Not Found"}
        return (
            200,
            {},
            {"ref": f"refs/{ref}", "object": {"sha": self.repo.refs[ref], "type": "commit"}},
        )

    def _create_ref(self, query: dict[str, str], body: Any) -> Any:
        ref = str(body["ref"]).removeprefix("refs/")
        if ref in self.repo.refs:
            return 422, {}, {"message": "Reference already exists"}
        if body["sha"] not in self.repo.commits:
            return 422, {}, {"message": "Object does not exist"}
        self.repo.refs[ref] = body["sha"]
        return 201, {}, {"ref": f"refs/{ref}", "object": {"sha": body["sha"]}}

    def _update_ref(self, query: dict[str, str], body: Any, ref: str) -> Any:
        if ref not in self.repo.refs:
            return 422, {}, {"message": "Reference does not exist"}
        if (
            not body.get("force")
            and self.repo.refs[ref] not in self.repo.commits[body["sha"]]["parents"]
        ):
            return 422, {}, {"message": "Update is not a fast forward"}
        self.repo.refs[ref] = body["sha"]
        return 200, {}, {"ref": f"refs/{ref}", "object": {"sha": body["sha"]}}

    def _delete_ref(self, query: dict[str, str], body: Any, ref: str) -> Any:
        if self.repo.refs.pop(ref, None) is None:
            return 422, {}, {"message": "Reference does not exist"}
        return 204, {}, None

    def _get_commit(self, query: dict[str, str], body: Any, sha: str) -> Any:
        commit = self.repo.commits.get(sha)
        if commit is None:
            return 404, {}, {"message": "Not Found"}
        return (
            200,
            {},
            {
                "sha": sha,
                "tree": {"sha": commit["tree"]},
                "parents": [{"sha": p} for p in commit["parents"]],
                "message": commit["message"],
            },
        )

    def _create_commit(self, query: dict[str, str], body: Any) -> Any:
        if body["tree"] not in self.repo.trees or any(
            p not in self.repo.commits for p in body["parents"]
        ):
            return 422, {}, {"message": "Object does not exist"}
        sha = self._store_commit(body["tree"], list(body["parents"]), body["message"])
        return 201, {}, {"sha": sha, "tree": {"sha": body["tree"]}}

    def _get_tree(self, query: dict[str, str], body: Any, sha: str) -> Any:
        tree = self.repo.trees.get(sha)
        if tree is None:
            return 404, {}, {"message": "Not Found"}
        entries = [
            {"path": p, "mode": "100644", "type": "blob", "sha": s} for p, s in sorted(tree.items())
        ]
        return 200, {}, {"sha": sha, "tree": entries, "truncated": False}

    def _create_tree(self, query: dict[str, str], body: Any) -> Any:
        base = body.get("base_tree")
        if base and base not in self.repo.trees:
            return 422, {}, {"message": "base_tree is not a tree"}
        tree = dict(self.repo.trees[base]) if base else {}
        for entry in body["tree"]:
            if entry.get("sha") is None and "content" not in entry:
                tree.pop(entry["path"], None)
                continue
            if "content" in entry:
                data = str(entry["content"]).encode()
                blob = _sha("blob", data)
                self.repo.blobs[blob] = data
            else:
                blob = entry["sha"]
            tree[entry["path"]] = blob
        sha = self._store_tree(tree)
        return 201, {}, {"sha": sha}

    def _create_blob(self, query: dict[str, str], body: Any) -> Any:
        data = (
            base64.b64decode(body["content"])
            if body.get("encoding") == "base64"
            else str(body["content"]).encode()
        )
        sha = _sha("blob", data)
        self.repo.blobs[sha] = data
        return 201, {}, {"sha": sha}

    def _resolve_tree(self, ref: str) -> dict[str, str] | None:
        commit = self.repo.refs.get(f"heads/{ref}", ref)
        if commit not in self.repo.commits:
            return None
        return self.repo.trees[self.repo.commits[commit]["tree"]]

    def _get_contents(self, query: dict[str, str], body: Any, path: str) -> Any:
        tree = self._resolve_tree(query.get("ref", self.repo.default_branch))
        if tree is None or path not in tree:
            return 404, {}, {"message": "Not Found"}
        data = self.repo.blobs[tree[path]]
        return (
            200,
            {},
            {
                "type": "file",
                "path": path,
                "sha": tree[path],
                "encoding": "base64",
                "content": base64.encodebytes(data).decode(),
            },
        )

    def _list_pulls(self, query: dict[str, str], body: Any) -> Any:
        state = query.get("state", "open")
        head = query.get("head")
        items = []
        for _, item in sorted(self.repo.items.items()):
            if "pull" not in item or (state != "all" and item["state"] != state):
                continue
            if head and head != f"{self.repo.owner}:{item['pull']['head']}":
                continue
            items.append(self._pull_json(item))
        return self._page(items, query, "/pulls")

    def _create_pull(self, query: dict[str, str], body: Any) -> Any:
        head = body["head"]
        if f"heads/{head}" not in self.repo.refs:
            return 422, {}, {"message": "Validation Failed", "errors": [{"field": "head"}]}
        for item in self.pulls():
            if item["state"] == "open" and item["pull"]["head"] == head:
                return 422, {}, {"message": f"A pull request already exists for {head}"}
        number = self._new_pull(
            body["title"],
            body.get("body") or "",
            head,
            body["base"],
            dict(self.caller),
        )
        return 201, {}, self._pull_json(self.repo.items[number])

    def _get_pull(self, query: dict[str, str], body: Any, number: str) -> Any:
        item = self.repo.items.get(int(number))
        if item is None or "pull" not in item:
            return 404, {}, {"message": "Not Found"}
        return 200, {}, self._pull_json(item)

    def _edit_pull(self, query: dict[str, str], body: Any, number: str) -> Any:
        item = self.repo.items.get(int(number))
        if item is None or "pull" not in item:
            return 404, {}, {"message": "Not Found"}
        for key in ("title", "body", "state"):
            if key in body:
                item[key] = body[key]
        return 200, {}, self._pull_json(item)

    def _pull_files(self, query: dict[str, str], body: Any, number: str) -> Any:
        item = self.repo.items.get(int(number))
        if item is None or "pull" not in item:
            return 404, {}, {"message": "Not Found"}
        base = self._resolve_tree(item["pull"]["base_sha"]) or {}
        head = self._resolve_tree(item["pull"]["head"]) or {}
        files = []
        for path in sorted(set(base) | set(head)):
            if base.get(path) == head.get(path):
                continue
            old = self.repo.blobs[base[path]].decode() if path in base else ""
            new = self.repo.blobs[head[path]].decode() if path in head else ""
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3)
            patch = "\n".join(list(diff)[2:])
            status = "added" if path not in base else "removed" if path not in head else "modified"
            files.append(
                {"filename": path, "status": status, "patch": patch, "sha": head.get(path)}
            )
        return self._page(files, query, f"/pulls/{number}/files")

    def _request_reviewers(self, query: dict[str, str], body: Any, number: str) -> Any:
        item = self.repo.items.get(int(number))
        if item is None or "pull" not in item:
            return 404, {}, {"message": "Not Found"}
        reviewers = list(body.get("reviewers") or [])
        if not self._valid_assignees(reviewers):
            return 422, {}, {"message": "Reviews may only be requested from collaborators."}
        item["pull"]["requested_reviewers"] += reviewers
        return 201, {}, self._pull_json(item)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's own, not in its type stubs
    protocol_version = "HTTP/1.1"  # keep-alive, like GitHub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body in one segment, no Nagle: otherwise delayed ACKs add ~40 ms a call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, payload = self.fake.handle(self.command, self.path, headers, body)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + data)
        self._headers_buffer = []

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve


class FakeGitHubServer:
    def __init__(self) -> None:
        self.fake = FakeGitHub()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.fake.base_url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeGitHubServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
