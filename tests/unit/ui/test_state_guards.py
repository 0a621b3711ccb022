import reflex as rx
from app.ui.states.users import UsersState
from app.ui.states.session import SessionState

async def test_probe(db):
    root = rx.State()
    s = await root.get_state(UsersState)
    print(type(s), s.parent_state, type(s.parent_state))
    s.token = "abc"
    print("token", s.token, (await root.get_state(SessionState)).token)
    print(type(s).load, s.load)
    r = await s.load()
    print("load ->", repr(r))
    spec = r
    print(spec.handler, spec.handler.fn.__qualname__, spec.args)
    t = rx.toast.error("boom")
    print(repr(t), t.handler.fn.__qualname__, t.args)
    t = rx.toast.success("ok")
    print(repr(t))
    r = await s.change_role(1, "admin")
    print("change_role ->", repr(r))
    print(s.create_errors)
    r = await s.create_user({"email": "x@example.com", "password": "p"*12, "role": "admin"})
    print(repr(r), s.create_errors)
