module github.com/precedent/precedent

go 1.26.5

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/daulet/tokenizers v1.22.1 // indirect
	github.com/gomlx/compute v0.1.2 // indirect
	github.com/gomlx/gomlx v0.28.2 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/exp v0.0.0-20260410095643-746e56fc9e2f // indirect
	golang.org/x/sys v0.45.0 // indirect
)
