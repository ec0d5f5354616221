"""Bookings (§3–3.1): a unit asks for an expert, the coordinator finds one, the expert says yes or no.

The library calls the CLI and the web pages use; see model.py for the states and the values.
"""

from kokemus_docs.bookings.model import (
                                         LANGUAGE_CHOICES,
                                         OPEN_STATES,
                                         STATES,
                                         Booking,
                                         BookingError,
                                         BookingRequest,
                                         BookingSession,
                                         Candidate,
                                         Offer,
                                         Reason,
                                         SessionTime,
                                         booking_json,
                                         weekly,
)
from kokemus_docs.bookings.offers import (
                                         answer_offer,
                                         candidates,
                                         contract_for,
                                         expert_offers,
                                         offer_booking,
                                         offer_history,
                                         withdraw_offer,
)
from kokemus_docs.bookings.requests import (
                                         add_booking,
                                         cancel_booking,
                                         check_request,
                                         close_unfilled,
                                         count_bookings,
                                         get_booking,
                                         list_bookings,
                                         open_requests,
                                         parse_day,
                                         parse_moment,
                                         session_times,
)

__all__ = [
    "LANGUAGE_CHOICES", "OPEN_STATES", "STATES", "Booking", "BookingError", "BookingRequest", "BookingSession",
    "Candidate", "Offer", "Reason", "SessionTime", "add_booking", "answer_offer", "booking_json", "cancel_booking",
    "candidates", "check_request", "close_unfilled", "count_bookings", "contract_for", "expert_offers", "get_booking",
    "list_bookings",
    "offer_booking", "offer_history", "open_requests", "parse_day", "parse_moment", "session_times",
    "withdraw_offer", "weekly",
]

from kokemus_docs.bookings.importing import ImportUnreadable, import_bookings  # noqa: E402

__all__ += ["ImportUnreadable", "import_bookings"]

from kokemus_docs.bookings.mail import OutboxEntry, outbox, retry_outbox  # noqa: E402

__all__ += ["OutboxEntry", "outbox", "retry_outbox"]
