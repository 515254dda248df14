"""Booking: quotes, holds, reservations, Stripe payments and QR vouchers.

Built by the booking issue; until then only the import rules name it.
"""
