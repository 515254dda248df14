"""Booking: quotes, holds, reservations, Stripe payments and QR vouchers (built by the booking issue)."""
