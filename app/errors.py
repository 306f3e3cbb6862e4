"""The app's one exception tree: every failure a person can act on carries a stable `code`.

    ReelrouteError                code               http_status
    ├── InputError                invalid_input      422   bad script, outline, prompt or source
    │   └── app.ingest.errors.IngestError                  (a source that cannot be ingested)
    ├── PolicyInvalid             invalid_policy     422   a policy that does not validate
    ├── PinForbidden              pin_forbidden      422   a pinned model the policy excludes
    ├── PlanError                 unroutable         422   no eligible provider, over budget
    ├── LimitExceeded             limit_exceeded     413   input, scenes, image over a cap
    ├── RenderFailed              render_failed      500   the render could not finish
    ├── SetupError                setup_failed       500   keys, certificate, folders unusable
    ├── OutputBusy                output_busy        409   another render holds the output folder
    ├── NotFound                  not_found          404
    └── Forbidden                 forbidden          403

`code` is machine-readable and never changes once published; `message` is written for the
person who caused or can fix the problem and is shown unchanged; `field` names the input field
at fault (a dotted path) when there is one. Surfaces translate in one place: the CLI in
`app.cli.common.fail_with`, the HTTP API by `http_status`. Errors from the lower layers
(`routing.policy.PolicyError`, `providers.profile.CatalogError`, `providers.media.RenderError`)
are wrapped with `raise ... from exc` where the app calls them.
"""

from __future__ import annotations


class ReelrouteError(Exception):
    """Root of the app's errors; see the module docstring for the tree."""

    code: str = "reelroute_error"
    http_status: int = 500

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        """The body of an error response: `{"code", "message", "field"}`."""
        return {"code": self.code, "message": self.message, "field": self.field}


class InputError(ReelrouteError):
    """The script, outline, prompt or source given cannot be used."""

    code = "invalid_input"
    http_status = 422


class PolicyInvalid(ReelrouteError):
    """A policy does not validate; `field` is the dotted path, the message names the line."""

    code = "invalid_policy"
    http_status = 422


class PinForbidden(ReelrouteError):
    """A scene pinned to a provider/model that the policy (or the catalog) excludes."""

    code = "pin_forbidden"
    http_status = 422

    def __init__(
        self, message: str, *, reasons: tuple[str, ...] = (), field: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.reasons = reasons


class PlanError(ReelrouteError):
    """The script cannot be rendered under this policy (no eligible provider, over budget)."""

    code = "unroutable"
    http_status = 422


class LimitExceeded(ReelrouteError):
    """An input over one of the caps; the message states the limit."""

    code = "limit_exceeded"
    http_status = 413


class RenderFailed(ReelrouteError):
    """The render could not finish; clips already made stay cached for the next run."""

    code = "render_failed"
    http_status = 500


class SetupError(ReelrouteError):
    """Something the render needs before spending is unusable: keys, certificate, folders."""

    code = "setup_failed"
    http_status = 500


class OutputBusy(ReelrouteError):
    """Another render is writing into the same output folder."""

    code = "output_busy"
    http_status = 409


class NotFound(ReelrouteError):
    code = "not_found"
    http_status = 404


class Forbidden(ReelrouteError):
    code = "forbidden"
    http_status = 403
