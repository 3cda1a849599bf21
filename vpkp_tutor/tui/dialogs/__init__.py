"""Modal dialogs of the study app (`Dialog[T]`, a `ModalScreen[T]` + `dismiss(value)`)."""
