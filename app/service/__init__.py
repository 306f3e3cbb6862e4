"""The one render entry every surface calls: `RenderRequest` → `plan_render` → `execute_plan`."""
