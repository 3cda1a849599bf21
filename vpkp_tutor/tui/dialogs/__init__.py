"""Modal dialogs of the study app (`ModalScreen[T]` + `dismiss(value)`)."""
