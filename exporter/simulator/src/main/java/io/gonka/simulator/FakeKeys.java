package io.gonka.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Deterministic, well-formed fake identities: bech32 addresses with valid checksums, base64
 * ed25519-sized public keys, consensus addresses as {@code sha256(pubkey)[:20]} in upper-case hex
 * (as CometBFT derives them), and hex signatures. Everything is derived from a label by SHA-256,
 * so the same label always yields the same identity.
 */
final class FakeKeys {
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};

    private FakeKeys() {
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(String label) {
        return sha256(label.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code gonka1...} account address for {@code label}. */
    static String accountAddress(String label) {
        byte[] bytes = new byte[20];
        System.arraycopy(sha256("account:" + label), 0, bytes, 0, 20);
        return bech32("gonka", bytes);
    }

    /** A base64 32-byte public key for {@code label}. */
    static String consensusPubkey(String label) {
        return Base64.getEncoder().encodeToString(sha256("consensus:" + label));
    }

    /** The CometBFT validator address of a base64 ed25519 public key. */
    static String consensusAddressHex(String base64Pubkey) {
        byte[] hash = sha256(Base64.getDecoder().decode(base64Pubkey));
        return HexFormat.of().withUpperCase().formatHex(hash, 0, 20);
    }

    /** {@code gonkavalcons1...} form of a hex consensus address (protojson block headers use it). */
    static String valconsAddress(String hexAddress) {
        return bech32("gonkavalcons", HexFormat.of().parseHex(hexAddress.toLowerCase()));
    }

    /** 64 bytes of lower-case hex, like the seed signatures in the examples. */
    static String signatureHex(String label) {
        byte[] a = sha256("sig-a:" + label);
        byte[] b = sha256("sig-b:" + label);
        return HexFormat.of().formatHex(a) + HexFormat.of().formatHex(b);
    }

    /** Upper-case hex of a 32-byte hash, like block hashes. */
    static String hashHex(String label) {
        return HexFormat.of().withUpperCase().formatHex(sha256("hash:" + label));
    }

    static String hashBase64(String label) {
        return Base64.getEncoder().encodeToString(sha256("hash:" + label));
    }

    /** A signed 64-bit seed value (can be negative, as in the config example). */
    static long seedValue(String label) {
        byte[] h = sha256("seed:" + label);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v;
    }

    static String bech32(String hrp, byte[] data) {
        byte[] five = convertBits(data);
        byte[] checksum = checksum(hrp, five);
        StringBuilder sb = new StringBuilder(hrp).append('1');
        for (byte b : five) {
            sb.append(CHARSET.charAt(b));
        }
        for (byte b : checksum) {
            sb.append(CHARSET.charAt(b));
        }
        return sb.toString();
    }

    private static byte[] convertBits(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int acc = 0;
        int bits = 0;
        for (byte b : data) {
            acc = (acc << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out.write((acc >> bits) & 31);
            }
        }
        if (bits > 0) {
            out.write((acc << (5 - bits)) & 31);
        }
        return out.toByteArray();
    }

    private static int polymod(byte[] values) {
        int chk = 1;
        for (byte v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) != 0) {
                    chk ^= GENERATOR[i];
                }
            }
        }
        return chk;
    }

    private static byte[] checksum(String hrp, byte[] data) {
        int hl = hrp.length();
        byte[] values = new byte[hl * 2 + 1 + data.length + 6];
        for (int i = 0; i < hl; i++) {
            values[i] = (byte) (hrp.charAt(i) >> 5);
            values[hl + 1 + i] = (byte) (hrp.charAt(i) & 31);
        }
        System.arraycopy(data, 0, values, hl * 2 + 1, data.length);
        int mod = polymod(values) ^ 1;
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
        }
        return out;
    }
}
