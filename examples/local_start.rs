//! Times the throwaway server: `cargo run --release --example local_start [RUNS]`.
//! Prints, per run, the start (copy + launch until ready), the first
//! connection, and the stop (drop), in milliseconds; then the medians.

use std::time::Instant;

use pgstate::connection::local::LocalServer;

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let rt = pgstate::connection::runtime().expect("runtime");
    let (mut starts, mut connects, mut stops) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let t = Instant::now();
        let server = LocalServer::start().expect("server starts");
        let start = t.elapsed();
        let t = Instant::now();
        rt.block_on(async {
            let client = server.connect().await.expect("connects");
            client.simple_query("SELECT 1").await.expect("query");
        });
        let connect = t.elapsed();
        let t = Instant::now();
        drop(server);
        let stop = t.elapsed();
        println!("run {i}: start {:.1} ms, connect {:.1} ms, stop {:.1} ms", ms(start), ms(connect), ms(stop));
        starts.push(start);
        connects.push(connect);
        stops.push(stop);
    }
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        ms(v[v.len() / 2])
    };
    println!(
        "median of {runs}: start {:.1} ms, connect {:.1} ms, stop {:.1} ms",
        median(&mut starts),
        median(&mut connects),
        median(&mut stops)
    );
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
