"""Guest registration (lưu trú): stays, guests, documents, deadlines, self check-in."""
