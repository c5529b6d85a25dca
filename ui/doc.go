// Package ui is the desktop app: one panel per pipeline step (archive,
// mining, negatives, training, evaluation, export, settings) assembled in a
// window of tabs. Panels only call package app, always from background jobs,
// and render its progress events on the UI goroutine through fyne.Do; they
// hold no pipeline logic of their own.
package ui
