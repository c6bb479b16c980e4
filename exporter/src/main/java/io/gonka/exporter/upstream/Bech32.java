package io.gonka.exporter.upstream;

import java.io.ByteArrayOutputStream;

/**
 * Bech32 encoding (BIP-173) of raw address bytes, as Cosmos SDK writes addresses: the
 * slashing module's queries take the consensus address as {@code <prefix>valcons1...}, while
 * CometBFT RPC only gives it in hex.
 */
public final class Bech32 {
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};

    private Bech32() {
    }

    /** {@code hrp + "1" + data (5-bit groups) + 6-character checksum}, lower case. */
    public static String encode(String hrp, byte[] payload) {
        byte[] data = toFiveBit(payload);
        byte[] checksum = checksum(hrp, data);
        StringBuilder sb = new StringBuilder(hrp.length() + 1 + data.length + 6).append(hrp).append('1');
        for (byte b : data) {
            sb.append(CHARSET.charAt(b));
        }
        for (byte b : checksum) {
            sb.append(CHARSET.charAt(b));
        }
        return sb.toString();
    }

    private static byte[] toFiveBit(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int acc = 0;
        int bits = 0;
        for (byte b : payload) {
            acc = (acc << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out.write((acc >>> bits) & 31);
            }
        }
        if (bits > 0) {
            out.write((acc << (5 - bits)) & 31);
        }
        return out.toByteArray();
    }

    private static byte[] checksum(String hrp, byte[] data) {
        int n = hrp.length();
        int[] values = new int[n * 2 + 1 + data.length + 6];
        for (int i = 0; i < n; i++) {
            values[i] = hrp.charAt(i) >> 5;
            values[n + 1 + i] = hrp.charAt(i) & 31;
        }
        for (int i = 0; i < data.length; i++) {
            values[2 * n + 1 + i] = data[i];
        }
        int mod = polymod(values) ^ 1;
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
        }
        return out;
    }

    private static int polymod(int[] values) {
        int chk = 1;
        for (int v : values) {
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
}
