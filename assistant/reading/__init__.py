"""Reading the retrieved passages: what a question asks for (:mod:`.analysis`), their
sentences as evidence (:mod:`.evidence`), the steps that rank them and refuse
(:mod:`.steps`, :mod:`.refusal`, :mod:`.reader`), and the extractive answerer
(:mod:`.extractive`)."""

__all__ = ["analysis", "evidence", "extractive", "reader", "refusal", "steps"]
