package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// certs is a fresh CA and a server certificate it signed, for 127.0.0.1, ::1 and localhost.
type certs struct {
	leaf            tls.Certificate
	caFile          string // PEM of the CA certificate
	thumbprint      string // SHA-256 of the leaf DER, "AA:BB:..."
	wrongThumbprint string // a valid-looking SHA-256 thumbprint of something else
}

func newCerts(dir string) (*certs, error) {
	now := time.Now()

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "vcsim-scenario test CA", Organization: []string{"vcaudit tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create the CA certificate: %v", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"vcaudit tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create the server certificate: %v", err)
	}

	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		return nil, fmt.Errorf("write the CA file: %v", err)
	}

	wrong := sha256.Sum256(append([]byte("not the server certificate:"), der...))
	return &certs{
		leaf:            tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		caFile:          caFile,
		thumbprint:      thumbprint(sha256.Sum256(der)),
		wrongThumbprint: thumbprint(wrong),
	}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n.Add(n, big.NewInt(1))
}

func thumbprint(sum [32]byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// serverTLS is the simulator's TLS configuration for -tls and -tls-max. stock and wrongkey leave
// the certificate to vcsim (its fixed RSA-1024 test certificate, CA flag set, as users meet it);
// ca serves the CA-signed P-256 certificate of newCerts (whose ca_file the --ca-file tests use).
// For wrongkey, signWithAnotherKey swaps the key once the server runs.
func serverTLS(o *options, c *certs) (*tls.Config, error) {
	cfg := new(tls.Config)
	switch o.tlsMax {
	case "1.2":
		cfg.MaxVersion = tls.VersionTLS12
	case "1.3":
	default:
		return nil, fmt.Errorf("-tls-max %q: 1.2 or 1.3", o.tlsMax)
	}
	switch o.tls {
	case "stock", "wrongkey":
		c.caFile = ""
	case "ca":
		cfg.Certificates = []tls.Certificate{c.leaf}
	default:
		return nil, fmt.Errorf("-tls %q: stock, ca or wrongkey", o.tls)
	}
	return cfg, nil
}

// signWithAnotherKey makes the running server present the same (stock) certificate but sign its
// handshakes with a fresh RSA-1024 key, as a server impersonating a pinned vCenter would: a
// certificate is public, its private key is not. cfg is the config the TLS listener uses.
func signWithAnotherKey(cfg *tls.Config) error {
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		return err
	}
	cfg.Certificates[0].PrivateKey = other
	return nil
}
