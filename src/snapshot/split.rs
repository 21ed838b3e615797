//! The fast way through a snapshot as vcaudit writes it: VMs decoded from slices, side by side.
//!
//! serde_json decodes a stream a byte at a time; from a slice it is several times faster, and
//! slices can go to other cores. So the decompressed stream is split, without decoding it, into
//! raw JSON values (a byte scanner that knows strings and nesting): each VM is copied into a
//! batch, batches go round-robin to one decoding thread per core and come back in order, and
//! each vCenter's other fields (hosts, datastores, events: few) are decoded from one slice.
//!
//! Only the layout vcaudit writes takes this way: `format` first, then `schema_version`, both
//! valid. Anything else (a foreign file, reordered keys, damage, a cap reached) makes [`read`]
//! give up with [`Fallback`], and the caller reads the file again the careful way, which names
//! the problem exactly as before. Neither way keeps more than one value beyond the model.

use std::io::BufRead;
use std::sync::mpsc;

use serde::Deserialize;

use super::{FORMAT, SCHEMA_VERSION, Snapshot};
use crate::bounded::Limits;
use crate::model::{VCenterInventory, Vm};

/// Why the fast way gave up: the caller reads the file the careful way.
#[derive(Debug)]
pub(super) struct Fallback;

impl From<std::io::Error> for Fallback {
    fn from(_: std::io::Error) -> Self {
        Fallback
    }
}

impl From<serde_json::Error> for Fallback {
    fn from(_: serde_json::Error) -> Self {
        Fallback
    }
}

/// Raw bytes of VMs a batch holds before it goes to a decoder.
const BATCH_BYTES: usize = 1 << 20;
/// The largest single value (other than the VM list) copied raw; beyond it the careful way,
/// which decodes as it reads, is used.
const MAX_RAW: usize = 256 << 20;

/// Reads a snapshot from `r`, or gives up (see the module documentation). Past one of
/// `limits` it gives up too, and the careful way names the cap.
/// VMs are decoded on `workers` threads (on the calling thread when 1).
pub(super) fn read(r: impl BufRead, limits: Limits, workers: usize) -> Result<Snapshot, Fallback> {
    let mut s = Scanner {
        r,
        limits,
        workers,
        consumed: 0,
        objects: 0,
    };
    let mut raw = Vec::new();
    s.expect(b'{')?;
    // The markers, first and in order, or the careful way.
    if s.key(&mut raw)? != "format" || s.decode::<String>(&mut raw)? != FORMAT {
        return Err(Fallback);
    }
    s.expect(b',')?;
    let version = match s.key(&mut raw)?.as_str() {
        "schema_version" => s.decode::<u32>(&mut raw)?,
        _ => return Err(Fallback),
    };
    if version > SCHEMA_VERSION {
        return Err(Fallback);
    }
    let mut snap = Snapshot {
        format: FORMAT.into(),
        schema_version: version,
        vcaudit_version: String::new(),
        collected_at: String::new(),
        servers: Vec::new(),
        vcenters: Vec::new(),
    };
    let mut vcenters = None;
    while s.next_in(b'}')? {
        match s.key(&mut raw)?.as_str() {
            "vcaudit_version" => snap.vcaudit_version = s.decode(&mut raw)?,
            "collected_at" => snap.collected_at = s.decode(&mut raw)?,
            "servers" => snap.servers = s.decode(&mut raw)?,
            "vcenters" if vcenters.is_none() => vcenters = Some(s.vcenters()?),
            // Repeated markers, a repeated list: the careful way says what is wrong.
            "format" | "schema_version" | "vcenters" => return Err(Fallback),
            _ => s.value(&mut raw)?,
        }
    }
    s.end()?;
    snap.vcenters = vcenters.ok_or(Fallback)?;
    Ok(snap)
}

/// The stream, and what of it counts against the caps: the same counts as
/// [`crate::bounded::BoundedJson`] keeps, so this way never holds more than the careful one.
struct Scanner<R> {
    r: R,
    limits: Limits,
    /// Threads decoding VMs; 1: the calling thread.
    workers: usize,
    /// Bytes consumed so far.
    consumed: u64,
    /// JSON objects (`{`) so far.
    objects: u64,
}

impl<R: BufRead> Scanner<R> {
    /// The buffered bytes, refilled when empty; within the cap on bytes.
    fn fill(&mut self) -> Result<&[u8], Fallback> {
        if self.consumed > self.limits.max_bytes {
            return Err(Fallback);
        }
        Ok(self.r.fill_buf()?)
    }

    fn advance(&mut self, n: usize) {
        self.r.consume(n);
        self.consumed += n as u64;
    }

    /// Counts an object against its cap.
    fn object(&mut self) -> Result<(), Fallback> {
        self.objects += 1;
        if self.objects > self.limits.max_objects {
            return Err(Fallback);
        }
        Ok(())
    }

    /// The next byte that is not white space, left unread; `Fallback` at the end.
    fn peek(&mut self) -> Result<u8, Fallback> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Err(Fallback);
            }
            match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    let b = buf[i];
                    self.advance(i);
                    return Ok(b);
                }
                None => {
                    let n = buf.len();
                    self.advance(n);
                }
            }
        }
    }

    fn expect(&mut self, want: u8) -> Result<(), Fallback> {
        if self.peek()? != want {
            return Err(Fallback);
        }
        if want == b'{' {
            self.object()?;
        }
        self.advance(1);
        Ok(())
    }

    /// Whether another member follows in an object or array ended by `close`: consumes the `,`
    /// before it (not before the first) or the closing byte.
    fn next_in(&mut self, close: u8) -> Result<bool, Fallback> {
        match self.peek()? {
            b',' => {
                self.advance(1);
                Ok(true)
            }
            b if b == close => {
                self.advance(1);
                Ok(false)
            }
            _ => Err(Fallback),
        }
    }

    /// Like [`Scanner::next_in`] for the first member, where no comma comes before it.
    fn first_in(&mut self, close: u8) -> Result<bool, Fallback> {
        if self.peek()? == close {
            self.advance(1);
            return Ok(false);
        }
        Ok(true)
    }

    /// Nothing but white space after the document.
    fn end(&mut self) -> Result<(), Fallback> {
        match self.peek() {
            Err(Fallback) => Ok(()),
            Ok(_) => Err(Fallback),
        }
    }

    /// An object key and its colon.
    fn key(&mut self, raw: &mut Vec<u8>) -> Result<String, Fallback> {
        if self.peek()? != b'"' {
            return Err(Fallback);
        }
        raw.clear();
        self.value(raw)?;
        self.expect(b':')?;
        Ok(serde_json::from_slice(raw)?)
    }

    /// The next value, decoded from its raw copy.
    fn decode<T: for<'de> Deserialize<'de>>(&mut self, raw: &mut Vec<u8>) -> Result<T, Fallback> {
        raw.clear();
        self.value(raw)?;
        Ok(serde_json::from_slice(raw)?)
    }

    /// Appends the raw bytes of the next value, whatever it is, to `out`. Only strings and
    /// nesting are understood: decoding the copy checks the rest.
    fn value(&mut self, out: &mut Vec<u8>) -> Result<(), Fallback> {
        let start = out.len();
        self.peek()?;
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        // Where the open string's text began, in bytes of the stream.
        let mut string_start = 0u64;
        let max_string = self.limits.max_string;
        loop {
            let base = self.consumed;
            let mut objects = 0u64;
            let mut too_long = false;
            let buf = self.fill()?;
            if buf.is_empty() {
                // A number or literal may end the stream; anything open may not.
                return if depth == 0 && !in_string && out.len() > start {
                    Ok(())
                } else {
                    Err(Fallback)
                };
            }
            let mut i = 0;
            let mut end = None;
            while i < buf.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                        None => i = buf.len(),
                        Some(j) => {
                            i += j;
                            if buf[i] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                                too_long |= base + (i as u64) - string_start > max_string;
                                if depth == 0 {
                                    end = Some(i + 1);
                                    break;
                                }
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                match buf[i] {
                    b'"' => {
                        in_string = true;
                        string_start = base + i as u64 + 1;
                    }
                    b'{' => {
                        depth += 1;
                        objects += 1;
                    }
                    b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    // A scalar ends at what follows it.
                    b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' if depth == 0 => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            let n = end.unwrap_or(buf.len());
            too_long |= in_string && base + (n as u64) - string_start > max_string;
            out.extend_from_slice(&buf[..n]);
            self.advance(n);
            self.objects += objects;
            if too_long || self.objects > self.limits.max_objects {
                return Err(Fallback);
            }
            if end.is_some() {
                return if out.len() > start {
                    Ok(())
                } else {
                    Err(Fallback)
                };
            }
            if out.len() - start > MAX_RAW {
                return Err(Fallback);
            }
        }
    }

    /// The `vcenters` list.
    fn vcenters(&mut self) -> Result<Vec<VCenterInventory>, Fallback> {
        let mut all = Vec::new();
        self.expect(b'[')?;
        let mut more = self.first_in(b']')?;
        while more {
            all.push(self.vcenter()?);
            more = self.next_in(b']')?;
        }
        Ok(all)
    }

    /// One vCenter: its VMs decoded side by side, the rest from one slice.
    fn vcenter(&mut self) -> Result<VCenterInventory, Fallback> {
        let mut rest = vec![b'{'];
        let mut key = Vec::new();
        let mut vms = None;
        self.expect(b'{')?;
        let mut more = self.first_in(b'}')?;
        while more {
            let name = self.key(&mut key)?;
            if name == "vms" {
                if vms.is_some() {
                    return Err(Fallback);
                }
                vms = Some(self.vms()?);
            } else {
                rest.extend_from_slice(&key);
                rest.push(b':');
                self.value(&mut rest)?;
                rest.push(b',');
                if rest.len() > MAX_RAW {
                    return Err(Fallback);
                }
            }
            more = self.next_in(b'}')?;
        }
        rest.extend_from_slice(br#""vms":[]}"#);
        let mut vc: VCenterInventory = serde_json::from_slice(&rest)?;
        vc.vms = vms.ok_or(Fallback)?;
        Ok(vc)
    }

    /// A `vms` list: batches of raw VMs to one decoder per core, round-robin, results taken
    /// back in the same order.
    fn vms(&mut self) -> Result<Vec<Vm>, Fallback> {
        let workers = self.workers;
        if workers <= 1 {
            return self.vm_batches(|batch| Ok(serde_json::from_slice(&batch)?));
        }
        std::thread::scope(|scope| {
            let (mut senders, mut receivers, mut threads) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..workers {
                let (to_worker, batches) = mpsc::sync_channel::<Vec<u8>>(2);
                let (to_main, decoded) = mpsc::sync_channel::<Decoded>(2);
                threads.push(scope.spawn(move || {
                    for batch in batches {
                        let vms = serde_json::from_slice::<Vec<Vm>>(&batch).map_err(Fallback::from);
                        let failed = vms.is_err();
                        if to_main.send(vms).is_err() || failed {
                            break;
                        }
                    }
                    // Freed now, not by the thread's exit.
                    crate::model::clear_pools();
                }));
                senders.push(to_worker);
                receivers.push(decoded);
            }
            let vms = self.vm_lanes(&senders, &receivers);
            // Both ends go before the threads are joined, so none waits on a send.
            drop((senders, receivers));
            // Joined one by one: the scope's own wait ends with each thread's work, before its
            // thread-local values (the channels' own among them) are freed; a join waits for the
            // thread's exit, so nothing of the read outlives it.
            for t in threads {
                if let Err(panic) = t.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            vms
        })
    }

    /// Decodes the `vms` list on `lanes`, round-robin, at most two batches in flight per lane
    /// (each lane's channels hold two), and gathers the decoded VMs in order.
    fn vm_lanes(
        &mut self,
        lanes: &[mpsc::SyncSender<Vec<u8>>],
        decoded: &[mpsc::Receiver<Decoded>],
    ) -> Result<Vec<Vm>, Fallback> {
        let n = lanes.len();
        let (mut sent, mut taken) = (0usize, 0usize);
        let take = |vms: &mut Vec<Vm>, taken: &mut usize| -> Result<(), Fallback> {
            let batch = decoded[*taken % n].recv().map_err(|_| Fallback)??;
            vms.extend(batch);
            *taken += 1;
            Ok(())
        };
        let mut vms = self.vm_batches(|batch| {
            let mut done = Vec::new();
            if sent - taken >= 2 * n {
                take(&mut done, &mut taken)?;
            }
            lanes[sent % n].send(batch).map_err(|_| Fallback)?;
            sent += 1;
            Ok(done)
        })?;
        while taken < sent {
            take(&mut vms, &mut taken)?;
        }
        Ok(vms)
    }

    /// Splits the `vms` list into batches (a JSON array of raw VMs each) and hands each to
    /// `decode`, which returns the VMs ready by then, in order.
    fn vm_batches(
        &mut self,
        mut decode: impl FnMut(Vec<u8>) -> Result<Vec<Vm>, Fallback>,
    ) -> Result<Vec<Vm>, Fallback> {
        let mut vms: Vec<Vm> = Vec::new();
        let mut batch = vec![b'['];
        self.expect(b'[')?;
        let mut more = self.first_in(b']')?;
        while more {
            if batch.len() > 1 {
                batch.push(b',');
            }
            self.value(&mut batch)?;
            more = self.next_in(b']')?;
            if batch.len() >= BATCH_BYTES || (!more && batch.len() > 1) {
                batch.push(b']');
                let full = std::mem::replace(&mut batch, vec![b'[']);
                vms.extend(decode(full)?);
            }
        }
        Ok(vms)
    }
}

/// What a decoding thread sends back for one batch.
type Decoded = Result<Vec<Vm>, Fallback>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Disk, DiskFigures, Estate};

    /// A snapshot of `n` VMs in two vCenters, with strings that need escapes.
    fn estate(n: usize) -> Snapshot {
        let vm = |i: usize| Vm {
            moref: format!("vm-{i}").into(),
            // The longest string of the sample, with escapes and a two-byte character.
            name: format!("web \"{i}\" \\ {{x}} [y], é {}", "n".repeat(40)).into(),
            cpus: Some(i as u32 % 7),
            disks: Some(Box::new([Disk {
                label: Some("Hard disk 1".into()),
                figures: DiskFigures::new(Some(i as u64 * 1024), None, None),
                ..Default::default()
            }])),
            ..Default::default()
        };
        let vc = |name: &str, vms: Vec<Vm>| VCenterInventory {
            server: name.into(),
            url: format!("https://{name}/sdk"),
            vms,
            ..Default::default()
        };
        Snapshot::new(
            Estate {
                vcenters: vec![vc("vc1", (0..n).map(vm).collect()), vc("vc2", vec![])],
            },
            "2026-12-02T09:00:00Z".into(),
        )
    }

    #[test]
    fn compact_and_pretty_layouts_read_the_same_as_the_careful_way() {
        // Over 1 MiB of VMs: several batches, on every decoding thread, back in order.
        let snap = estate(12_000);
        for bytes in [
            serde_json::to_vec(&snap).unwrap(),
            serde_json::to_vec_pretty(&snap).unwrap(),
        ] {
            assert!(bytes.len() > 2 * BATCH_BYTES);
            let careful: Snapshot = serde_json::from_slice(&bytes).unwrap();
            let fast = read(&bytes[..], Limits::default(), 2)
                .expect("the fast way reads vcaudit's own layout");
            assert_eq!(fast, careful);
            assert_eq!(fast, snap);
        }
    }

    #[test]
    fn anything_unusual_goes_the_careful_way() {
        let good = serde_json::to_string(&estate(3)).unwrap();
        let reordered = good.replacen(
            r#""format":"vcaudit-snapshot","schema_version":1"#,
            r#""schema_version":1,"format":"vcaudit-snapshot""#,
            1,
        );
        assert_ne!(reordered, good);
        let cases = [
            good[..good.len() - 40].to_string(),
            format!("{good} trailing"),
            good.replacen("\"vms\":[", "\"vms\":[,", 1),
            good.replacen("\"vms\":[{", "\"vms\":[{]", 1),
            good.replacen("\"cpus\":0", "\"cpus\":\"zero\"", 1),
            good.replacen("\"vms\"", "\"VMs\"", 1),
            good.replacen("\"schema_version\":1", "\"schema_version\":2", 1),
            reordered,
            "[]".into(),
            String::new(),
        ];
        for (i, case) in cases.iter().enumerate() {
            assert!(
                read(case.as_bytes(), Limits::default(), 2).is_err(),
                "case {i} read the fast way"
            );
        }
        assert!(read(good.as_bytes(), Limits::default(), 2).is_ok());
    }

    /// Each cap stops the fast way at the same point as the careful way's counter would:
    /// just at the cap it reads, one below it gives up.
    #[test]
    fn the_caps_hold_on_the_fast_way_too() {
        let text = serde_json::to_string(&estate(50)).unwrap();
        let bytes = text.len() as u64;
        // Braces in names are text, not objects.
        let objects = (text.matches('{').count() - text.matches("{x}").count()) as u64;
        let longest = estate(50).vcenters[0].vms[49].name.clone();
        // The longest string as written (escaped), without its quotes.
        let string = serde_json::to_string(&longest).unwrap().len() as u64 - 2;
        let at = |max_bytes, max_objects, max_string| Limits {
            max_bytes,
            max_objects,
            max_string,
        };
        let fits = at(bytes, objects, string);
        assert!(read(text.as_bytes(), fits, 2).is_ok());
        for over in [
            at(bytes / 2, objects, string),
            at(bytes, objects - 1, string),
            at(bytes, objects, string - 1),
        ] {
            assert!(read(text.as_bytes(), over, 2).is_err(), "{over:?}");
        }
    }
}
