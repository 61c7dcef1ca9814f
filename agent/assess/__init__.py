"""Assessment: signals, triggers, stakeholders and triage of one account."""

from agent.assess.assessment import Assessment, assess

__all__ = ["Assessment", "assess"]
