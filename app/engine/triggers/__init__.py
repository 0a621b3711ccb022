"""Triggers: what starts a workflow run by itself, inside the one Flowdeck process.

    manual     a person or an API call       app.services.executions.execute_workflow
    schedule   cron (IANA zone) or interval  triggers.schedule (when) + engine.scheduler (clock)
    webhook    POST /api/hooks/{hook_id}     app.services.hooks + app.api.routes.hooks
    event      an internal domain event      triggers.events
    publish    an article reaches a status   triggers.events

Every trigger ends in `app.engine.runtime.start_run`, which writes a queued execution;
the unique constraints on (workflow, scheduled_for) and (workflow, dedupe_key) are what make a
fire or a delivery count once, whoever asks twice.
"""
